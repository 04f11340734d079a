// A stand-in for grafonnet's shape, vendored the way jsonnet-bundler vendors it.
{
  dashboard(title, uid=null):: { title: title, panels: [], schemaVersion: 39, [if uid != null then 'uid']: uid },
  timeseries(title, expr):: {
    type: 'timeseries', title: title, gridPos: { h: 8, w: 12, x: 0, y: 0 },
    datasource: { type: 'prometheus', uid: 'prometheus' },
    targets: [{ refId: 'A', expr: expr, datasource: { type: 'prometheus', uid: 'prometheus' } }],
  },
}
