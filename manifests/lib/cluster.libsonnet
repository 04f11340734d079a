// What the two cluster profiles share: one file per piece, a kustomization over them, and
// the checks that obs's compiled objects are what this cluster's operators select.
local elastalert = import 'elastalert.libsonnet';
local grafana = import 'grafana.libsonnet';
local swck = import 'swck.libsonnet';
local obsLib = import 'obs.libsonnet';

{
  // Labels `want` that `have` lacks or has with another value, as "key=value" strings.
  missingLabels(want, have)::
    [k + '=' + want[k] for k in std.objectFields(want) if !(std.objectHas(have, k) && have[k] == want[k])],

  render(obs, p, grafanaObjects, extraWarnings=[])::
    local nm = obs.notificationManager;
    local namespaces = swck.namespaces(obs, p.swck);
    local pieces = {
      'elastalert.yaml': elastalert.kubernetes(obs, p.elastalert),
      'grafana.yaml': grafanaObjects,
    } + (if std.length(nm) > 0 && p.notificationManager.include then { 'notification-manager.yaml': nm } else {})
      + (if std.length(namespaces) > 0 then { 'namespaces.yaml': namespaces } else {});
    local missing = $.missingLabels(p.prometheus.ruleSelector, obs.ruleLabels);
    {
      files: pieces + { 'kustomization.yaml': obsLib.kustomization(std.objectFields(pieces)) },
      warnings: (if std.length(missing) > 0 then [
        "the PrometheusRules obs compiles lack the labels this cluster's Prometheus selects (" +
        std.join(', ', missing) + '): set them in defaults.kubernetes.ruleLabels of obs.yaml',
      ] else []) + extraWarnings,
      // what is left out because obs compile did not write it (info, not a problem)
      // where the notification-manager objects are, or why there are none (info, not a problem)
      notes: if !p.notificationManager.expected then [] else if std.length(nm) == 0 then [
        'obs compile wrote no kubernetes/notification-manager.yaml (no notification-manager target in this obs, '
        + 'or it is off): there are no notification-manager objects to apply',
      ] else if !p.notificationManager.include then [
        'the notification-manager objects (' + std.join(', ', std.set([o.kind for o in nm])) + ') stay in '
        + 'out/kubernetes/notification-manager.yaml: `obs apply --target kubernetes` applies them with their '
        + 'Secret filled (notificationManager.include=true copies them here as compiled, placeholders and all)',
      ] else [],
    },
}
