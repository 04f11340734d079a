"""prometheus-operator target: PrometheusRule objects that the CRD accepts, Prometheus loads and
the operator's ruleSelector picks up, holding the same groups as the plain rule files."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from k8s_helpers import assert_golden, codes_of, compiled, diags_of, objects, outputs, set_defaults

SHOP_LABELS = {"prometheus": "k8s", "role": "alert-rules"}


def plain_groups(result, owner: str) -> list[dict]:
    return yaml.safe_load(outputs(result, f"prometheus/{owner}.rules.yaml")[f"prometheus/{owner}.rules.yaml"])["groups"]


def rules_of(obj: dict) -> list[dict]:
    return [r for g in obj["spec"]["groups"] for r in g["rules"]]


@pytest.mark.parametrize("project", ["shop", "pay"])
def test_one_prometheusrule_per_owner_with_the_plain_files_groups(project, request):
    result = compiled(request.getfixturevalue(project))
    rule_files = outputs(result, "prometheus/")
    prom_rules = objects(result, "kubernetes/prometheusrule-")
    owners = sorted(Path(p).name.removesuffix(".rules.yaml") for p in rule_files)
    assert owners, "the project has rule owners"
    assert sorted(prom_rules) == [f"kubernetes/prometheusrule-{o}.yaml" for o in owners]
    for owner in owners:
        [obj] = prom_rules[f"kubernetes/prometheusrule-{owner}.yaml"]
        assert obj["spec"]["groups"] == plain_groups(result, owner)


@pytest.mark.parametrize("project", ["shop", "pay"])
def test_objects_follow_the_crd_schema(project, request, prometheusrule_schema):
    result = compiled(request.getfixturevalue(project))
    docs = [d for ds in objects(result, "kubernetes/prometheusrule-").values() for d in ds]
    assert docs
    for obj in docs:
        errors = [e.message for e in prometheusrule_schema.iter_errors(obj)]
        assert errors == [], obj["metadata"]["name"]


def test_schema_refuses_what_the_api_server_would(prometheusrule_schema):
    good = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
            "metadata": {"name": "shop-checkout", "namespace": "monitoring", "labels": {"a": "b"}},
            "spec": {"groups": [{"name": "g", "rules": [{"record": "a:b", "expr": "up"}]}]}}
    assert prometheusrule_schema.is_valid(good)
    bad_name = {**good, "metadata": {**good["metadata"], "name": "Shop_Checkout"}}
    record_with_for = {**good, "spec": {"groups": [{"name": "g", "rules": [{"record": "a:b", "expr": "up", "for": "5m"}]}]}}
    unknown_field = {**good, "spec": {"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "up", "fro": "5m"}]}]}}
    for bad in (bad_name, record_with_for, unknown_field):
        assert not prometheusrule_schema.is_valid(bad)


def test_metadata_is_what_the_operator_selects_and_obs_owns(shop):
    result = compiled(shop)
    for path, [obj] in objects(result, "kubernetes/prometheusrule-").items():
        meta = obj["metadata"]
        assert meta["namespace"] == "kubesphere-monitoring-system"
        assert SHOP_LABELS.items() <= meta["labels"].items(), "ruleSelector prometheus=k8s,role=alert-rules"
        assert meta["labels"]["app.kubernetes.io/managed-by"] == "obs"
        assert meta["labels"]["obs.dev/project"] == "shop"
        owner = path.removeprefix("kubernetes/prometheusrule-").removesuffix(".yaml")
        assert meta["name"] == f"shop-{owner}"
        for source in meta["annotations"]["obs.dev/source"].split(","):
            assert (shop / source).is_file(), source


def test_every_rule_names_the_line_it_came_from(pay):
    result = compiled(pay)
    text = outputs(result, "kubernetes/prometheusrule-payments.yaml")["kubernetes/prometheusrule-payments.yaml"]
    lines = text.splitlines()
    seen = 0
    for i, line in enumerate(lines):
        m = re.match(r"\s*- (alert|record): \"?([^\"]+)\"?$", line)
        if not m:
            continue
        source = re.match(r"\s*# source: (.+):(\d+):(\d+)$", lines[i - 1])
        assert source, f"no source comment above {m.group(2)}"
        file, line_no = pay / source.group(1), int(source.group(2))
        assert m.group(2) in file.read_text().splitlines()[line_no - 1]
        seen += 1
    assert seen == 9


@pytest.mark.parametrize("project", ["shop", "pay"])
def test_promtool_loads_the_extracted_groups(project, request, promtool, tmp_path):
    result = compiled(request.getfixturevalue(project))
    for path, [obj] in objects(result, "kubernetes/prometheusrule-").items():
        wrapper = tmp_path / Path(path).name
        wrapper.write_text(outputs(result, path)[path])
        refused = subprocess.run([promtool, "check", "rules", str(wrapper)], capture_output=True, text=True)
        assert refused.returncode != 0, "promtool 2.42 refuses the wrapper itself, hence the extraction"
        extracted = tmp_path / (wrapper.stem + ".rules.yaml")
        extracted.write_text(yaml.safe_dump(obj["spec"]))
        run = subprocess.run([promtool, "check", "rules", str(extracted)], capture_output=True, text=True)
        assert run.returncode == 0, run.stdout + run.stderr
        assert f"{len(rules_of(obj))} rules found" in run.stdout


def test_compiling_twice_gives_the_same_bytes(pay, tmp_path):
    first = outputs(compiled(pay), "kubernetes/")
    again = tmp_path / "again"
    again.mkdir()
    # the same project read in another file order
    for f in sorted(pay.rglob("*"), reverse=True):
        dst = again / f.relative_to(pay)
        if f.is_dir():
            dst.mkdir(parents=True, exist_ok=True)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(f.read_bytes())
    assert outputs(compiled(again), "kubernetes/") == first


def test_alerts_in_kubesphere_leaves_only_recordings(pay, promtool, tmp_path):
    set_defaults(pay, alertsIn="kubesphere")
    result = compiled(pay)
    prom_rules = objects(result, "kubernetes/prometheusrule-")
    assert list(prom_rules) == ["kubernetes/prometheusrule-payments.yaml"], "node-disks has no recording rule"
    [obj] = prom_rules["kubernetes/prometheusrule-payments.yaml"]
    assert [r["record"] for r in rules_of(obj)] == ["payments:queue_depth:max5m", "payments:requests:rate5m",
                                                "payments_backlog"]
    assert "Recording rules only" in outputs(result, "kubernetes/prometheusrule-payments.yaml")[
        "kubernetes/prometheusrule-payments.yaml"]
    assert "KB004" not in codes_of(result)
    # the plain files are another deployment and keep everything
    assert any("alert" in r for g in plain_groups(result, "payments") for r in g["rules"])
    extracted = tmp_path / "payments.rules.yaml"
    extracted.write_text(yaml.safe_dump(obj["spec"]))
    assert subprocess.run([promtool, "check", "rules", str(extracted)], capture_output=True).returncode == 0


def test_alerts_in_kubesphere_without_the_kubesphere_target_changes_nothing(pay):
    set_defaults(pay, targets=["prometheus", "prometheus-operator"], alertsIn="kubesphere")
    result = compiled(pay, ["prometheus", "prometheus-operator"])
    [obj] = objects(result, "kubernetes/prometheusrule-payments.yaml")["kubernetes/prometheusrule-payments.yaml"]
    assert obj["spec"]["groups"] == plain_groups(result, "payments")


def big_group(n: int) -> str:
    rules = "\n".join(f"""    - alert: Big{i}
      expr: up{{job="big-{i}"}} == 0
      labels: {{severity: warning}}
      annotations: {{summary: "{'x' * 400}"}}""" for i in range(n))
    return f"""apiVersion: obs/v1
kind: RuleGroup
metadata: {{name: big, team: platform}}
spec:
  rules:
{rules}
"""


def test_an_object_too_large_for_client_side_apply_is_reported(pay):
    (pay / "platform" / "big.yaml").write_text(big_group(700))
    [diag] = diags_of(compiled(pay, ["prometheus-operator"]), "KB001")
    assert "out/kubernetes/prometheusrule-big.yaml" in diag.message
    assert diag.pos.file == "platform/big.yaml"
    assert "--server-side" in diag.hint
    (pay / "platform" / "big.yaml").write_text(big_group(100))
    assert "KB001" not in codes_of(compiled(pay, ["prometheus-operator"]))


def golden_cases() -> list[tuple[str, str]]:
    return [("pay", "prometheusrule-payments.yaml"), ("pay", "prometheusrule-node-disks.yaml"),
            ("shop", "prometheusrule-kubernetes-workloads.yaml")]


@pytest.mark.parametrize("project,name", golden_cases())
def test_golden(project, name, request):
    assert_golden(compiled(request.getfixturevalue(project)), project, name)


DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def test_names_become_distinct_dns_1123_subdomains():
    from obs.targets.kubernetes import dns_name

    raw = ["shop-checkout", "Node Health", "node-health", "node_health", "-x-", "a" * 300, "Ünïcode", "a..b"]
    names = [dns_name("shop", r) for r in raw]
    assert names[0] == "shop-shop-checkout"
    assert all(DNS_SUBDOMAIN.match(n) and len(n) <= 253 for n in names), names
    assert len(set(names)) == len(names)
    assert dns_name("shop", "Node Health") == dns_name("shop", "Node Health")
