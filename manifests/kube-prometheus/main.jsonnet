// kube-prometheus: ElastAlert 2 and a datasource ConfigMap for the stack's Grafana, aligned to
// the labels kube-prometheus / kube-prometheus-stack select.
local cluster = import '../lib/cluster.libsonnet';
local grafana = import '../lib/grafana.libsonnet';

function(obs, params)
  local g = params.grafana;
  local sidecar = cluster.missingLabels({ [g.sidecar.dashboardLabel]: g.sidecar.dashboardLabelValue },
                                        { [obs.grafana.sidecarLabel]: '1' });
  local secret = if obs.alertmanager.secretName != null && obs.alertmanager.secretName != params.alertmanager.secretName then [
    'obs compile writes the Alertmanager config into Secret ' + obs.alertmanager.secretName + ', the stack reads ' +
    params.alertmanager.secretName + ': set defaults.alertmanager.secretName in obs.yaml',
  ] else [];
  local dashboards = if std.length(sidecar) > 0 then [
    "obs's dashboard ConfigMaps carry " + obs.grafana.sidecarLabel + '=1, the Grafana sidecar looks for ' + std.join(', ', sidecar),
  ] else [];
  local unselected = [
    c.name for c in obs.alertmanager.configs
    if std.length(cluster.missingLabels(params.alertmanager.configSelector, c.labels)) > 0
  ];
  local configs = if std.length(unselected) > 0 then [
    "the AlertmanagerConfigs obs compiles lack the labels the stack's Alertmanager selects (" +
    std.join(', ', cluster.missingLabels(params.alertmanager.configSelector, {})) + '): ' + std.join(', ', unselected),
  ] else [];
  local uid = if obs.grafana.datasource != g.prometheus.uid then [
    "obs's dashboards name datasource uid " + obs.grafana.datasource + ', the Prometheus datasource of the stack is ' +
    g.prometheus.uid + ': set defaults.grafana.datasource in obs.yaml',
  ] else [];
  cluster.render(obs, params, [grafana.datasourceConfigMap(obs, g)], secret + dashboards + configs + uid)
