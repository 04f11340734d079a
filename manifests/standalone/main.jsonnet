// standalone: config files and systemd units for Prometheus, Alertmanager and ElastAlert 2.
local elastalert = import '../lib/elastalert.libsonnet';
local standalone = import '../lib/standalone.libsonnet';

function(obs, params)
  {
    files: {
      'prometheus/prometheus.yml': standalone.prometheusConfig(obs, params.prometheus),
      // obs compile's config as it is: `obs apply --target alertmanager` fills its ${VAR}s
      'alertmanager/alertmanager.yml': obs.alertmanagerConfig,
      'elastalert/config.yaml': elastalert.config(params.elastalert),
    } + standalone.units(params),
    warnings: [],
    notes: if obs.alertmanagerConfig == null then
      ['obs compile wrote no alertmanager/alertmanager.yaml (the alertmanager target is off): alertmanager.yml is left out']
    else [],
  }
