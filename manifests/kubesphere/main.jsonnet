// kubesphere: ElastAlert 2 and Grafana for a cluster with KubeSphere's monitoring and logging,
// notification-manager objects from obs compile, SWCK namespace labels.
local cluster = import '../lib/cluster.libsonnet';
local grafana = import '../lib/grafana.libsonnet';

function(obs, params)
  cluster.render(obs, params, grafana.kubernetes(obs, params.grafana))
