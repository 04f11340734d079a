// ElastAlert 2: its config.yaml (every profile) and, in a cluster, the Deployment that runs
// it on obs's rules ConfigMap (kubernetes/elastalert-rules.yaml of `obs compile`).
local obsLib = import 'obs.libsonnet';

{
  // config.yaml (ElastAlert 2 docs, "Configuration"): the search server from its URL, the
  // rules folder, the writeback index ElastAlert keeps its state in.
  config(p)::
    local es = obsLib.hostPort(p.elasticsearch.url);
    {
      rules_folder: p.rulesFolder,
      run_every: { minutes: p.runEveryMinutes },
      buffer_time: { minutes: p.bufferTimeMinutes },
      alert_time_limit: { days: p.alertTimeLimitDays },
      es_host: es.host,
      es_port: es.port,
      use_ssl: es.scheme == 'https',
      verify_certs: p.elasticsearch.verifyCerts,
      writeback_index: p.writebackIndex,
    },

  // The mount points of the jertel/elastalert2 image.
  configPath:: '/opt/elastalert/config.yaml',
  rulesPath:: '/opt/elastalert/rules',

  kubernetes(obs, p)::
    local ns = p.namespace;
    local appLabels = { 'app.kubernetes.io/name': 'elastalert' };
    local cfg = $.config(p { rulesFolder: $.rulesPath });
    [
      obsLib.configMap(obs, p.name + '-config', ns, { 'config.yaml': cfg }, appLabels),
      obsLib.object(obs, 'apps/v1', 'Deployment', p.name, ns, appLabels) + {
        spec: {
          // one ElastAlert per writeback index: two would send every alert twice
          replicas: 1,
          strategy: { type: 'Recreate' },
          selector: { matchLabels: appLabels + { 'obs.dev/project': obs.project } },
          template: {
            metadata: {
              labels: appLabels + obsLib.labels(obs),
              // a changed config.yaml rolls the pod (ElastAlert reads it once; rule files it re-reads)
              annotations: { 'obs.dev/config-hash': std.md5(std.manifestJsonEx(cfg, '')) },
            },
            spec: {
              securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 },
              containers: [{
                name: 'elastalert',
                image: p.image,
                args: ['--verbose'],
                env: [
                  { name: 'ES_USERNAME', valueFrom: { secretKeyRef: { name: p.elasticsearch.secret, key: 'username', optional: true } } },
                  { name: 'ES_PASSWORD', valueFrom: { secretKeyRef: { name: p.elasticsearch.secret, key: 'password', optional: true } } },
                  { name: 'ES_API_KEY', valueFrom: { secretKeyRef: { name: p.elasticsearch.secret, key: 'apiKey', optional: true } } },
                ],
                resources: obsLib.resources(p.resources),
                // ElastAlert 2 reads ES_USERNAME, ES_PASSWORD, ES_API_KEY over config.yaml (its env_settings)
                // ElastAlert serves no HTTP: the probes check its config is mounted and PID 1 runs
                livenessProbe: {
                  exec: { command: ['sh', '-c', 'test -r ' + $.configPath + ' && kill -0 1'] },
                  initialDelaySeconds: 30,
                  periodSeconds: 60,
                },
                readinessProbe: {
                  exec: { command: ['sh', '-c', 'test -d ' + $.rulesPath + ' && test -r ' + $.configPath] },
                  periodSeconds: 30,
                },
                volumeMounts: [
                  { name: 'config', mountPath: $.configPath, subPath: 'config.yaml', readOnly: true },
                  { name: 'rules', mountPath: $.rulesPath, readOnly: true },
                ],
              }],
              volumes: [
                { name: 'config', configMap: { name: p.name + '-config' } },
                { name: 'rules', configMap: { name: p.rulesConfigMap } },
              ],
            },
          },
        },
      },
    ],
}
