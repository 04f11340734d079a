// Grafana: datasources with the uids obs's dashboards name, and the k8s-sidecar that loads
// obs's dashboard ConfigMaps (label and folder annotation as obs compile writes them).
local obsLib = import 'obs.libsonnet';

{
  // Grafana's provisioning file (Grafana docs, "Provision Grafana", datasources); the Prometheus
  // datasource only where this Grafana has none (`prometheus.provision`): two marked default, or two
  // of one uid, are refused by Grafana.
  datasources(p):: {
    apiVersion: 1,
    datasources: (if p.prometheus.provision then [
      {
        name: 'Prometheus',
        uid: p.prometheus.uid,
        type: 'prometheus',
        access: 'proxy',
        url: p.prometheus.url,
        isDefault: true,
        jsonData: { timeInterval: p.prometheus.scrapeInterval },
      },
    ] else []) + [
      {
        name: 'Elasticsearch',
        uid: p.elasticsearch.uid,
        type: 'elasticsearch',
        access: 'proxy',
        url: p.elasticsearch.url,
        jsonData: { index: p.elasticsearch.index, timeField: p.elasticsearch.timeField },
      },
    ],
  },

  dashboardsPath:: '/var/lib/grafana/dashboards',

  // The ConfigMap kube-prometheus-stack's datasource sidecar loads (label grafana_datasource).
  datasourceConfigMap(obs, p)::
    obsLib.configMap(obs, p.name + '-datasources', p.namespace,
                     { 'obs-datasources.yaml': $.datasources(p) },
                     { [p.sidecar.datasourceLabel]: p.sidecar.datasourceLabelValue }),

  // A Grafana of its own, for clusters without one (KubeSphere).
  kubernetes(obs, p)::
    local ns = p.namespace;
    local appLabels = { 'app.kubernetes.io/name': 'grafana' };
    local provider = {
      apiVersion: 1,
      providers: [{
        name: 'obs',
        type: 'file',
        disableDeletion: false,
        allowUiUpdates: false,
        options: { path: $.dashboardsPath, foldersFromFilesStructure: true },
      }],
    };
    [
      obsLib.object(obs, 'v1', 'ServiceAccount', p.name, ns, appLabels),
      // the sidecar lists and watches ConfigMaps of its namespace only (obs compile writes the
      // dashboard ConfigMaps into defaults.kubernetes.namespace, Grafana's default namespace)
      obsLib.object(obs, 'rbac.authorization.k8s.io/v1', 'Role', p.name + '-sidecar', ns, appLabels) + {
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
      },
      obsLib.object(obs, 'rbac.authorization.k8s.io/v1', 'RoleBinding', p.name + '-sidecar', ns, appLabels) + {
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: p.name + '-sidecar' },
        subjects: [{ kind: 'ServiceAccount', name: p.name, namespace: ns }],
      },
      obsLib.configMap(obs, p.name + '-provisioning', ns, {
        'datasources.yaml': $.datasources(p),
        'dashboards.yaml': provider,
      }, appLabels),
      obsLib.object(obs, 'v1', 'Service', p.name, ns, appLabels) + {
        spec: {
          selector: appLabels + { 'obs.dev/project': obs.project },
          ports: [{ name: 'http', port: 3000, targetPort: 'http' }],
        },
      },
      obsLib.object(obs, 'apps/v1', 'Deployment', p.name, ns, appLabels) + {
        spec: {
          replicas: 1,
          selector: { matchLabels: appLabels + { 'obs.dev/project': obs.project } },
          template: {
            metadata: { labels: appLabels + obsLib.labels(obs) },
            spec: {
              serviceAccountName: p.name,
              securityContext: { runAsNonRoot: true, runAsUser: 472, fsGroup: 472 },
              containers: [
                {
                  name: 'grafana',
                  image: p.image,
                  ports: [{ name: 'http', containerPort: 3000 }],
                  env: [{ name: 'GF_PATHS_PROVISIONING', value: '/etc/grafana/provisioning' }],
                  resources: obsLib.resources(p.resources),
                  readinessProbe: { httpGet: { path: '/api/health', port: 'http' }, periodSeconds: 10 },
                  livenessProbe: { httpGet: { path: '/api/health', port: 'http' }, initialDelaySeconds: 60, periodSeconds: 30 },
                  volumeMounts: [
                    { name: 'provisioning', mountPath: '/etc/grafana/provisioning/datasources/obs.yaml', subPath: 'datasources.yaml', readOnly: true },
                    { name: 'provisioning', mountPath: '/etc/grafana/provisioning/dashboards/obs.yaml', subPath: 'dashboards.yaml', readOnly: true },
                    { name: 'dashboards', mountPath: $.dashboardsPath },
                    { name: 'data', mountPath: '/var/lib/grafana' },
                  ],
                },
                {
                  // k8s-sidecar: ConfigMaps with the label become files, in the folder the annotation names
                  name: 'dashboards-sidecar',
                  image: p.sidecar.image,
                  env: [
                    { name: 'LABEL', value: p.sidecar.dashboardLabel },
                    { name: 'LABEL_VALUE', value: p.sidecar.dashboardLabelValue },
                    { name: 'FOLDER', value: $.dashboardsPath },
                    { name: 'FOLDER_ANNOTATION', value: p.sidecar.folderAnnotation },
                    { name: 'NAMESPACE', value: ns },
                    { name: 'RESOURCE', value: 'configmap' },
                  ],
                  resources: obsLib.resources(p.sidecar.resources),
                  volumeMounts: [{ name: 'dashboards', mountPath: $.dashboardsPath }],
                },
              ],
              volumes: [
                { name: 'provisioning', configMap: { name: p.name + '-provisioning' } },
                { name: 'dashboards', emptyDir: {} },
                { name: 'data', emptyDir: {} },
              ],
            },
          },
        },
      },
    ],
}
