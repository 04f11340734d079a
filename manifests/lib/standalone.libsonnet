// Prometheus, Alertmanager and ElastAlert 2 on a VM or a laptop: their config files and
// systemd units, at the paths `obs apply` writes to (the environment's rulesDir/configFile).
local obsLib = import 'obs.libsonnet';

{
  // Where a runtime's metrics usually are (Spring Boot Actuator for java, /metrics elsewhere).
  metricsPath(runtime):: if runtime == 'java' then '/actuator/prometheus' else '/metrics',

  // prometheus.yml: obs's rule folder, the local Alertmanager, and one job per service whose
  // targets come from a file_sd file (<targetsDir>/<service>.json) and/or the parameters.
  prometheusConfig(obs, p):: {
    global: {
      scrape_interval: p.scrapeInterval,
      evaluation_interval: p.evaluationInterval,
    } + (if p.externalLabels == {} then {} else { external_labels: p.externalLabels }),
    rule_files: [p.rulesDir + '/*.yaml'],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [p.alertmanager] }] }] },
    scrape_configs: [
      { job_name: 'prometheus', static_configs: [{ targets: [p.listen] }] },
      { job_name: 'alertmanager', static_configs: [{ targets: [p.alertmanager] }] },
    ] + [
      {
        job_name: s.name,
        metrics_path: $.metricsPath(s.runtime),
        file_sd_configs: [{ files: [p.targetsDir + '/' + s.name + '.json'] }],
      } + (if std.objectHas(p.targets, s.name) then { static_configs: [{ targets: p.targets[s.name] }] } else {})
      for s in obs.services
    ],
  },

  unit(description, user, exec, after=['network-online.target']):: obsLib.systemdUnit({
    Unit: { Description: description, Documentation: 'docs/bootstrap.md of obs', Wants: 'network-online.target', After: std.join(' ', after) },
    Service: {
      User: user,
      ExecStart: exec,
      ExecReload: '/bin/kill -HUP $MAINPID',
      Restart: 'on-failure',
      NoNewPrivileges: 'yes',
    },
    Install: { WantedBy: 'multi-user.target' },
  }),

  units(p):: {
    'systemd/obs-prometheus.service': $.unit(
      'Prometheus with the rules of obs', p.prometheus.user,
      std.join(' ', [p.prometheus.binary, '--config.file=' + p.prometheus.configFile,
                     '--storage.tsdb.path=' + p.prometheus.storage, '--web.listen-address=' + p.prometheus.listen,
                     // obs apply reloads through POST /-/reload
                     '--web.enable-lifecycle'])),
    'systemd/obs-alertmanager.service': $.unit(
      'Alertmanager with the routes of obs', p.alertmanager.user,
      std.join(' ', [p.alertmanager.binary, '--config.file=' + p.alertmanager.configFile,
                     '--storage.path=' + p.alertmanager.storage, '--web.listen-address=' + p.alertmanager.listen,
                     // empty: one Alertmanager, no gossip port (by default 0.0.0.0:9094)
                     '--cluster.listen-address=' + p.alertmanager.clusterListen])),
    'systemd/obs-elastalert.service': $.unit(
      'ElastAlert 2 with the log alerts of obs', p.elastalert.user,
      std.join(' ', [p.elastalert.binary, '--config', p.elastalert.configFile, '--verbose'])),
  },
}
