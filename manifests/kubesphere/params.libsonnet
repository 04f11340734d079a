// Parameters of the kubesphere profile, defaulted from obs's project (`obs`): every key may be
// set in obs.yaml (spec.bootstrap.kubesphere) or with --set; manifests/README.md documents them.
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
      // KubeSphere's logging Elasticsearch (or OpenSearch) in kubesphere-logging-system
      url: if obs.environment.elasticsearchUrl != null then obs.environment.elasticsearchUrl else 'http://elasticsearch-logging-data.kubesphere-logging-system.svc:9200',
      verifyCerts: true,
      // Secret with `username` and `password` keys, if the server asks for a login
      secret: 'elastalert-elasticsearch',
    },
    writebackIndex: 'elastalert',
    runEveryMinutes: 1,
    bufferTimeMinutes: 15,
    alertTimeLimitDays: 2,
    resources: { cpu: '100m', memory: '256Mi', memoryLimit: '512Mi', cpuLimit: '' },
  },
  grafana: {
    name: 'grafana',
    namespace: $.namespace,
    image: 'grafana/grafana:11.6.0',
    prometheus: {
      provision: true,
      uid: obs.grafana.datasource,
      url: if obs.environment.prometheusUrl != null then obs.environment.prometheusUrl
           else 'http://prometheus-k8s.kubesphere-monitoring-system.svc:9090',
      scrapeInterval: obs.scrapeInterval,
    },
    elasticsearch: {
      uid: 'elasticsearch',
      url: $.elastalert.elasticsearch.url,
      index: obs.logIndex,
      timeField: obs.timestampField,
    },
    resources: { cpu: '100m', memory: '256Mi', memoryLimit: '512Mi', cpuLimit: '' },
    sidecar: {
      image: 'kiwigrid/k8s-sidecar:1.30.3',
      dashboardLabel: obs.grafana.sidecarLabel,
      dashboardLabelValue: '1',
      folderAnnotation: obs.grafana.folderAnnotation,
      resources: { cpu: '50m', memory: '64Mi', memoryLimit: '128Mi', cpuLimit: '' },
    },
  },
  prometheus: {
    // KubeSphere's prometheus-k8s selects PrometheusRules with these labels
    ruleSelector: { prometheus: 'k8s', role: 'alert-rules' },
  },
  swck: { label: 'swck-injection', value: 'enabled' },
  // compiled notification-manager objects: say where they are (expected); copy them into DIR (include)
  notificationManager: { expected: true, include: false },
}
