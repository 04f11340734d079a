// Parameters of the kube-prometheus profile (kube-prometheus or kube-prometheus-stack), defaulted
// from obs's project (`obs`); manifests/README.md documents them.
function(obs) {
  // with --env E, the servers' URLs default to E's (elasticsearch or opensearch, prometheus)
  namespace: obs.namespace,
  elastalert: {
    name: 'elastalert',
    // with --env E: where E's elastalert.configMap (the ConfigMap obs apply writes) is
    namespace: if obs.environment.elastalertNamespace != null then obs.environment.elastalertNamespace else $.namespace,
    image: 'jertel/elastalert2:2.19.0',
    rulesConfigMap: if obs.environment.elastalertConfigMap != null then obs.environment.elastalertConfigMap
                    else obs.elastalert.configMap,
    elasticsearch: {
      url: if obs.environment.elasticsearchUrl != null then obs.environment.elasticsearchUrl else 'http://elasticsearch-master.logging.svc:9200',
      verifyCerts: true,
      secret: 'elastalert-elasticsearch',
    },
    writebackIndex: 'elastalert',
    runEveryMinutes: 1,
    bufferTimeMinutes: 15,
    alertTimeLimitDays: 2,
    resources: { cpu: '100m', memory: '256Mi', memoryLimit: '512Mi', cpuLimit: '' },
  },
  grafana: {
    // the stack's own Grafana loads obs's dashboards (sidecar label grafana_dashboard) and this
    // datasource ConfigMap (sidecar label grafana_datasource); uid `prometheus` is the stack's own
    name: 'obs',
    namespace: $.namespace,
    prometheus: {
      // the stack provisions its Prometheus datasource (uid `prometheus`); obs's dashboards must name it
      provision: false,
      uid: 'prometheus',
      url: if obs.environment.prometheusUrl != null then obs.environment.prometheusUrl
           else 'http://prometheus-k8s.monitoring.svc:9090',
      scrapeInterval: obs.scrapeInterval,
    },
    elasticsearch: {
      uid: 'elasticsearch',
      url: $.elastalert.elasticsearch.url,
      index: obs.logIndex,
      timeField: obs.timestampField,
    },
    sidecar: {
      dashboardLabel: 'grafana_dashboard',
      dashboardLabelValue: '1',
      datasourceLabel: 'grafana_datasource',
      datasourceLabelValue: '1',
    },
  },
  prometheus: {
    // kube-prometheus-stack's Prometheus selects rules labelled release=<Helm release>;
    // kube-prometheus (jsonnet) selects every rule: set {} there
    ruleSelector: { release: 'kube-prometheus-stack' },
  },
  alertmanager: {
    // the Secret the stack's Alertmanager reads its whole config from (obs compile writes it)
    secretName: 'alertmanager-main',
    // the Alertmanager's alertmanagerConfigSelector, for defaults.alertmanager.mode alertmanagerconfig
    // (set it to what your Alertmanager resource selects; {} here checks nothing)
    configSelector: {},
  },
  swck: { label: 'swck-injection', value: 'enabled' },
  // compiled notification-manager objects: say where they are (expected); copy them into DIR (include)
  notificationManager: { expected: false, include: false },
}
