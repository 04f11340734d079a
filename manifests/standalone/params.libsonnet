// Parameters of the standalone profile, defaulted from obs's project and, with --env, from that
// environment of obs.yaml (rulesDir, configFile, URLs); manifests/README.md documents them.
local obsLib = import '../lib/obs.libsonnet';

function(obs)
  local env = obs.environment;
  local listen(url, fallback) = if url == null then fallback else
    local hp = obsLib.hostPort(url); hp.host + ':' + hp.port;
  {
    prometheus: {
      configFile: '/etc/prometheus/prometheus.yml',
      rulesDir: if env.prometheusRulesDir == null then '/etc/prometheus/rules' else env.prometheusRulesDir,
      targetsDir: '/etc/prometheus/targets',
      targets: {},
      listen: listen(env.prometheusUrl, '127.0.0.1:9090'),
      alertmanager: $.alertmanager.listen,
      scrapeInterval: obs.scrapeInterval,
      evaluationInterval: '1m',
      externalLabels: {},
      binary: '/usr/bin/prometheus',
      storage: '/var/lib/prometheus/obs',
      user: 'prometheus',
    },
    alertmanager: {
      configFile: if env.alertmanagerConfigFile == null then '/etc/prometheus/alertmanager.yml' else env.alertmanagerConfigFile,
      listen: listen(env.alertmanagerUrl, '127.0.0.1:9093'),
      clusterListen: '',
      binary: '/usr/bin/prometheus-alertmanager',
      storage: '/var/lib/prometheus/alertmanager-obs',
      user: 'prometheus',
    },
    elastalert: {
      configFile: '/etc/elastalert/config.yaml',
      rulesFolder: if env.elastalertRulesDir == null then '/etc/elastalert/rules' else env.elastalertRulesDir,
      elasticsearch: {
        url: if env.elasticsearchUrl == null then 'http://127.0.0.1:9200' else env.elasticsearchUrl,
        verifyCerts: true,
      },
      writebackIndex: 'elastalert',
      runEveryMinutes: 1,
      bufferTimeMinutes: 15,
      alertTimeLimitDays: 2,
      binary: '/opt/elastalert/bin/elastalert',
      user: 'elastalert',
    },
  }
