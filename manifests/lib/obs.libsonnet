// Shared helpers of every profile: obs's labels on every object, object constructors and
// the text formats the standalone profile writes. Pure functions of their arguments.
{
  // The labels obs puts on everything it owns (the same as obs compile's, obs/targets/k8s.py).
  labels(obs):: {
    'app.kubernetes.io/managed-by': 'obs',
    'obs.dev/project': obs.project,
  },

  // metadata with obs's labels; `labels` adds to them (obs's own keys always win).
  metadata(obs, name, namespace=null, labels={}, annotations={}):: {
    name: name,
    labels: labels + $.labels(obs),
  } + (if namespace == null then {} else { namespace: namespace })
    + (if annotations == {} then {} else { annotations: annotations }),

  object(obs, apiVersion, kind, name, namespace=null, labels={}, annotations={}):: {
    apiVersion: apiVersion,
    kind: kind,
    metadata: $.metadata(obs, name, namespace, labels, annotations),
  },

  // A data value that is an object is a YAML file: obs writes it with its YAML writer (one
  // style for every file obs writes; jsonnet's std.manifestYamlDoc is also ~1 s a call here).
  configMap(obs, name, namespace, data, labels={}, annotations={})::
    $.object(obs, 'v1', 'ConfigMap', name, namespace, labels, annotations) + { data: data },

  // A kustomization listing the files, so `kubectl apply -k DIR` applies the whole profile.
  kustomization(files):: {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: std.sort(files),
  },

  // A systemd unit from {Section: {Key: value or [values]}}: sections in the order systemd
  // documents (Unit, Service, Install), keys sorted, list values as repeated keys.
  systemdUnit(sections)::
    local order = ['Unit', 'Service', 'Install'];
    local names = [s for s in order if std.objectHas(sections, s)]
                  + std.sort([s for s in std.objectFields(sections) if !std.member(order, s)]);
    local line(k, v) = if std.isArray(v) then [k + '=' + x for x in v] else [k + '=' + v];
    local section(s) = ['[' + s + ']'] + std.flattenArrays([line(k, sections[s][k]) for k in std.objectFields(sections[s])]);
    std.join('\n', std.join([''], [section(s) for s in names])) + '\n',

  // host:port of a URL such as http://host:9200 (the port from the scheme when absent).
  hostPort(url)::
    local scheme = if std.startsWith(url, 'https://') then 'https' else 'http';
    local rest = std.substr(url, std.length(scheme) + 3, std.length(url));
    local authority = std.split(rest, '/')[0];
    local parts = std.split(authority, ':');
    {
      scheme: scheme,
      host: parts[0],
      port: if std.length(parts) > 1 then std.parseInt(parts[1]) else (if scheme == 'https' then 443 else 80),
    },

  // Resource requests and limits from {cpu, memory, cpuLimit, memoryLimit}.
  resources(r):: {
    requests: { cpu: r.cpu, memory: r.memory },
    limits: { memory: r.memoryLimit } + (if std.objectHas(r, 'cpuLimit') && r.cpuLimit != '' then { cpu: r.cpuLimit } else {}),
  },
}
