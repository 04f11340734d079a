"""kubesphere target: alerting.kubesphere.io/v2beta1 objects KubeSphere accepts, holding every
alert once and no recording rule, each alert placed where KubeSphere's namespace injection
cannot change what it selects."""

from __future__ import annotations

import re

import pytest
import yaml
from k8s_helpers import assert_golden, codes_of, compiled, diags_of, ks_rules, objects, outputs, set_defaults

from obs.catalog import Origin
from obs.rulegen import Rule
from obs.targets.kubesphere import placement

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def where(result) -> dict[str, tuple[str, str | None]]:
    """alert name → (kind, namespace) of the object holding it."""
    return {rule["alert"]: (obj["kind"], obj["metadata"].get("namespace")) for obj, rule in ks_rules(result)}


@pytest.mark.parametrize("project", ["shop", "pay"])
def test_objects_follow_kubesphere_crds_and_webhook(project, request, kubesphere_schema):
    result = compiled(request.getfixturevalue(project))
    docs = [d for ds in objects(result, "kubernetes/kubesphere-").values() for d in ds]
    assert docs
    for obj in docs:
        errors = [e.message for e in kubesphere_schema.iter_errors(obj)]
        assert errors == [], obj["metadata"]["name"]
        assert obj["metadata"]["labels"]["alerting.kubesphere.io/enable"] == "true"


def test_schema_refuses_recording_rules_and_namespaced_cluster_groups(kubesphere_schema):
    rule = {"alert": "A", "expr": "up == 0", "severity": "warning"}
    meta = {"name": "shop-a", "labels": {"alerting.kubesphere.io/enable": "true"}}
    cluster = {"apiVersion": "alerting.kubesphere.io/v2beta1", "kind": "ClusterRuleGroup", "metadata": meta,
               "spec": {"rules": [rule]}}
    assert kubesphere_schema.is_valid(cluster)
    assert not kubesphere_schema.is_valid({**cluster, "metadata": {**meta, "namespace": "shop"}})
    assert not kubesphere_schema.is_valid({**cluster, "spec": {"rules": [{"record": "a:b", "expr": "up"}]}})
    assert not kubesphere_schema.is_valid({**cluster, "spec": {"rules": [{**rule, "severity": "info"}]}})
    assert not kubesphere_schema.is_valid({**cluster, "metadata": {"name": "shop-a", "labels": {}}})


@pytest.mark.parametrize("project", ["shop", "pay"])
def test_every_alert_once_and_no_recording_rule(project, request):
    result = compiled(request.getfixturevalue(project))
    plain = [r for text in outputs(result, "prometheus/").values() for g in yaml.safe_load(text)["groups"]
             for r in g["rules"]]
    ks = [rule for _, rule in ks_rules(result)]
    assert all("record" not in r for r in ks)
    assert sorted((r["alert"], r["expr"]) for r in ks) == sorted((r["alert"], r["expr"]) for r in plain if "alert" in r)


def test_placement_in_the_pay_project(pay):
    placed = where(compiled(pay))
    assert placed == {
        "PaymentsHighErrorRate": ("RuleGroup", "pay-prod"),   # raw metrics of the workload
        "PaymentsNewVersion": ("RuleGroup", "pay-prod"),
        "PaymentsQueueGrowing": ("ClusterRuleGroup", None),   # reads a recording
        "PaymentsLedgerLag": ("ClusterRuleGroup", None),      # asks for another namespace
        "PaymentsTrafficStopped": ("ClusterRuleGroup", None),
        "PaymentsBacklogHigh": ("ClusterRuleGroup", None),    # a recording named without the colon convention
        "NodeDiskAlmostFull": ("ClusterRuleGroup", None),     # no service, no namespace
    }


def test_shop_alerts_over_recordings_are_cluster_wide(shop):
    """Holds for the SLO burn alerts too: they read slo:sli_error:ratio_rate<w> recordings."""
    result = compiled(shop)
    placed = where(result)
    assert placed["CheckoutHighLatencyP99"] == ("RuleGroup", "shop")
    assert placed["KubePodCrashLooping"] == ("ClusterRuleGroup", None)
    for obj, rule in ks_rules(result):
        if re.search(r"(?<![\w\[])[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]+", re.sub(r'"[^"]*"', "", rule["expr"])):
            assert obj["kind"] == "ClusterRuleGroup", rule["alert"]


@pytest.mark.parametrize("expr,labels,expected", [
    ('sum(rate(http_requests_total{job="a"}[5m])) > 1', {}, "shop"),
    ('absent(up{job="a"})', {}, "shop"),
    ('vector(1)', {}, "shop"),
    ('up{namespace="shop"} == 0', {}, "shop"),
    ('up{namespace="other"} == 0', {}, None),
    ('up{namespace=~"shop|other"} == 0', {}, None),
    ('slo:sli_error:ratio_rate1h{slo="a"} > 0.01', {}, None),
    ('my_recording > 1', {}, None),
    ('{__name__=~"up|down"} == 0', {}, None),
    ('{__name__="up"} == 0', {}, "shop"),
    ('up == 0', {"namespace": "other"}, None),
    ('this is not promql', {}, None),
])
def test_placement_rules(expr, labels, expected):
    rule = Rule(expr=expr, alert="A", labels=labels, origin=Origin(None))
    assert placement(rule, "shop", {"my_recording"}) == expected
    assert placement(rule, None, set()) is None


def test_severity_field_only_for_severities_kubesphere_knows(pay):
    for _, rule in ks_rules(compiled(pay)):
        label = rule["labels"]["severity"]
        if label in ("critical", "error", "warning"):
            assert rule["severity"] == label
        else:
            assert "severity" not in rule, "KubeSphere would overwrite the label with the field"
    assert any(r["labels"]["severity"] == "info" for _, r in ks_rules(compiled(pay)))


def test_rule_ids_are_stable_unique_and_survive_expression_edits(pay):
    def ids(result):
        return {rule["alert"]: rule["labels"]["rule_id"] for _, rule in ks_rules(result)}

    before = ids(compiled(pay))
    assert all(UUID.match(i) for i in before.values())
    assert len(set(before.values())) == len(before)
    assert ids(compiled(pay)) == before
    service = pay / "services" / "payments.yaml"
    service.write_text(service.read_text().replace("> 0.05", "> 0.1").replace("PaymentsNewVersion", "PaymentsRollout"))
    after = ids(compiled(pay))
    assert after["PaymentsHighErrorRate"] == before["PaymentsHighErrorRate"]
    assert after["PaymentsRollout"] not in before.values()


def test_header_says_where_the_recordings_are(pay):
    texts = outputs(compiled(pay), "kubernetes/kubesphere-")
    assert "cannot hold recording rules" in texts["kubernetes/kubesphere-payments.yaml"]
    assert "kubernetes/prometheusrule-payments.yaml" in texts["kubernetes/kubesphere-payments.yaml"]
    assert "no recording rules" in texts["kubernetes/kubesphere-node-disks.yaml"]


def test_fields_kubesphere_cannot_express_are_errors(pay):
    nodes = pay / "platform" / "nodes.yaml"
    nodes.write_text(nodes.read_text().replace("spec:\n", "spec:\n  limit: 10\n").replace(
        "      for: 30m\n", "      for: 30m\n      keep_firing_for: 5m\n"))
    result = compiled(pay)
    found = {(d.pos.file, d.pos.line, "limit" in d.message) for d in diags_of(result, "KB002")}
    assert found == {("platform/nodes.yaml", 1, True), ("platform/nodes.yaml", 9, False)}
    assert all(d.severity.value == "error" and "kubesphere" in d.message for d in diags_of(result, "KB002"))
    assert "KB002" not in codes_of(compiled(pay, ["prometheus", "prometheus-operator"]))


def test_kubesphere_alone_cannot_deploy_recordings(pay):
    set_defaults(pay, targets=["kubesphere"])
    [diag] = diags_of(compiled(pay, ["kubesphere"]), "KB003")
    assert diag.severity.value == "error" and diag.pos.file == "obs.yaml"
    assert "prometheus-operator" in diag.hint
    set_defaults(pay, targets=["kubesphere", "prometheus"])
    assert "KB003" not in codes_of(compiled(pay, ["kubesphere"]))


def test_double_evaluation_is_flagged_until_alerts_move_to_kubesphere(pay):
    assert codes_of(compiled(pay)) == ["KB004"]
    set_defaults(pay, alertsIn="kubesphere")
    assert codes_of(compiled(pay)) == []


def golden_cases() -> list[tuple[str, str]]:
    return [("pay", "kubesphere-payments.yaml"), ("pay", "kubesphere-node-disks.yaml"),
            ("shop", "kubesphere-kubernetes-workloads.yaml")]


@pytest.mark.parametrize("project,name", golden_cases())
def test_golden(project, name, request):
    assert_golden(compiled(request.getfixturevalue(project)), project, name)


def test_groups_that_would_be_one_kubesphere_object_are_an_error(pay):
    """Prometheus keeps groups of the same name apart by file; KubeSphere by namespace and name only,
    so the second object applied would silently replace the first one's alerts."""
    (pay / "services" / "refunds.yaml").write_text("""apiVersion: obs/v1
kind: Service
metadata: {name: refunds, team: money}
spec:
  namespace: pay-prod
  alerts:
    - {name: RefundsFailing, expr: 'rate(refund_failures_total[5m]) > 1', severity: warning, summary: s}
---
apiVersion: obs/v1
kind: RuleGroup
metadata: {name: refunds-alerts, service: payments}
spec:
  rules:
    - alert: PaymentsRefundsStuck
      expr: payments_refunds_stuck > 0
      labels: {severity: warning}
      annotations: {summary: s}
""")
    result = compiled(pay)
    [diag] = diags_of(result, "KB005")
    assert diag.severity.value == "error" and (diag.pos.file, diag.pos.line) == ("services/refunds.yaml", 7)
    assert "RuleGroup pay-prod/pay-refunds-alerts" in diag.message and "refunds" in diag.message
    keys = [(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"])
            for docs in objects(result, "kubernetes/kubesphere-").values() for o in docs]
    assert len(keys) == len(set(keys)) + 1
    assert diags_of(compiled(pay, ["prometheus", "prometheus-operator"]), "KB005") == []
