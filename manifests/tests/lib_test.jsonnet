// Unit tests of manifests/lib, run by tests/bootstrap/test_bootstrap_jsonnet.py through the jsonnet
// package: each entry is true or fails with std.assertEqual's message naming both values.
local cluster = import '../lib/cluster.libsonnet';
local obsLib = import '../lib/obs.libsonnet';
local standalone = import '../lib/standalone.libsonnet';
local swck = import '../lib/swck.libsonnet';

local obs = { project: 'shop', services: [
  { name: 'a', namespace: 'shop', runtime: 'java', skywalking: 'swck' },
  { name: 'b', namespace: 'shop', runtime: 'go', skywalking: 'swck' },
  { name: 'c', namespace: 'ai', runtime: 'python', skywalking: 'init-container' },
  { name: 'd', namespace: null, runtime: 'go', skywalking: null },
] };

{
  obs_labels_win_over_the_callers: std.assertEqual(
    obsLib.metadata(obs, 'x', 'ns', { 'obs.dev/project': 'other', team: 't' }).labels,
    { 'app.kubernetes.io/managed-by': 'obs', 'obs.dev/project': 'shop', team: 't' }),
  cluster_objects_have_no_namespace_key: std.assertEqual(std.objectHas(obsLib.metadata(obs, 'x'), 'namespace'), false),
  host_port_with_port: std.assertEqual(obsLib.hostPort('https://es.svc:9201/x'), { scheme: 'https', host: 'es.svc', port: 9201 }),
  host_port_from_scheme: std.assertEqual(obsLib.hostPort('http://es.svc'), { scheme: 'http', host: 'es.svc', port: 80 }),
  host_port_https_default: std.assertEqual(obsLib.hostPort('https://es.svc').port, 443),
  resources_without_cpu_limit: std.assertEqual(
    obsLib.resources({ cpu: '1', memory: '1Gi', memoryLimit: '2Gi', cpuLimit: '' }),
    { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '2Gi' } }),
  systemd_sections_in_order_and_lists_repeated: std.assertEqual(
    obsLib.systemdUnit({ Install: { WantedBy: 'x' }, Service: { Environment: ['A=1', 'B=2'], ExecStart: '/bin/p' }, Unit: { Description: 'd' } }),
    '[Unit]\nDescription=d\n\n[Service]\nEnvironment=A=1\nEnvironment=B=2\nExecStart=/bin/p\n\n[Install]\nWantedBy=x\n'),
  kustomization_lists_sorted: std.assertEqual(obsLib.kustomization(['b.yaml', 'a.yaml']).resources, ['a.yaml', 'b.yaml']),
  missing_labels_named: std.assertEqual(cluster.missingLabels({ a: '1', b: '2' }, { a: '1', b: '3' }), ['b=2']),
  missing_labels_none: std.assertEqual(cluster.missingLabels({}, { a: '1' }), []),
  swck_namespaces_once_each_and_only_swck: std.assertEqual(
    [n.metadata.name for n in swck.namespaces(obs, { label: 'swck-injection', value: 'enabled' })], ['shop']),
  metrics_path_by_runtime: std.assertEqual([standalone.metricsPath(r) for r in ['java', 'go']], ['/actuator/prometheus', '/metrics']),
  static_targets_join_file_sd: std.assertEqual(
    standalone.prometheusConfig(obs, {
      scrapeInterval: '30s', evaluationInterval: '1m', externalLabels: {}, rulesDir: '/r', alertmanager: 'h:9093',
      listen: 'h:9090', targetsDir: '/t', targets: { a: ['10.0.0.1:8080'] },
    }).scrape_configs[2],
    { job_name: 'a', metrics_path: '/actuator/prometheus', file_sd_configs: [{ files: ['/t/a.json'] }],
      static_configs: [{ targets: ['10.0.0.1:8080'] }] }),
}
