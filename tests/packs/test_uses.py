"""`uses:` in a Service: packs expand into the service's alerts with its labels; unknown packs,
unknown parameters and bad values are one diagnostic each, at the exact `with:` key or value."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from obs.pipeline import build

PROJECT = """\
apiVersion: obs/v1
kind: Project
metadata: {name: t}
spec:
  sources: ["*.yaml"]
  targets: [prometheus]
  defaults: {labels: {cluster: c1}}
"""


def _project(tmp_path: Path, uses: str, extra: str = "") -> Path:
    (tmp_path / "obs.yaml").write_text(PROJECT)
    (tmp_path / "svc.yaml").write_text(textwrap.dedent("""\
        apiVersion: obs/v1
        kind: Service
        metadata: {name: data, team: platform}
        spec:
          uses:
        """) + textwrap.indent(textwrap.dedent(uses), "    ") + extra)
    return tmp_path


def _diags(root: Path, prefix: str = "PK") -> list:
    return [d for d in build(root).diags.sorted() if d.code.startswith(prefix)]


def test_pack_alerts_carry_the_service_labels_and_parameters(tmp_path):
    root = _project(tmp_path, """\
        - pack: rabbitmq
          with: {selector: 'namespace="middleware"', queueBacklog: 250, backlogFor: 3m}
        """)
    b = build(root)
    assert not [d for d in b.diags.sorted() if d.severity.value == "error"], [d.render() for d in b.diags]
    alerts = {a.spec.name: a for a in b.catalog.alerts}
    backlog = alerts["RabbitMQQueueBacklog"]
    assert backlog.pack == "rabbitmq"
    assert backlog.labels == {"cluster": "c1", "team": "platform", "service": "data", "severity": "warning"}
    assert "> 250" in backlog.spec.expr and 'namespace="middleware"' in backlog.spec.expr
    assert backlog.spec.for_ == "3m"
    assert backlog.annotations["runbook_hint"]
    assert backlog.origin.pos.file == "svc.yaml" and backlog.origin.pos.line == 6
    text = next(a for a in b.artifacts if a.path == "prometheus/data.rules.yaml").content.decode()
    assert "alert: RabbitMQQueueBacklog" in text and "team: platform" in text


def test_unknown_pack_has_did_you_mean(tmp_path):
    root = _project(tmp_path, "- pack: rabitmq\n")
    [d] = _diags(root)
    assert d.code == "PK001" and "'rabitmq'" in d.message and d.hint == "did you mean 'rabbitmq'?"
    assert (d.pos.file, d.pos.line, d.pos.col) == ("svc.yaml", 6, 13)


def test_unknown_parameter_points_at_its_key_with_did_you_mean(tmp_path):
    root = _project(tmp_path, """\
        - pack: mysql
          with:
            selector: 'namespace="middleware"'
            replicationLagSecond: 30
        """)
    [d] = _diags(root)
    assert d.code == "PK002" and "'replicationLagSecond'" in d.message
    assert d.hint == "did you mean 'replicationLagSeconds'?"
    assert (d.pos.line, d.pos.col) == (9, 9)


@pytest.mark.parametrize("with_, fragment", [
    ("{queueBacklog: lots}", "expected a number"),
    ("{queueBacklog: true}", "expected a number"),
    ("{backlogFor: 10 minutes}", "not a duration"),
    ("{selector: 'namespace=middleware'}", "not a list of label matchers"),
    ("{selector: 'a=\"b\"} or vector(1) or up{c=\"d\"'}", "not a list of label matchers"),
    ("{exclude: [RabbitMQQueueBacklg]}", "did you mean 'RabbitMQQueueBacklog'"),
    ("{notify: payments}", "expected a list of names"),
])
def test_bad_values_point_at_the_value(tmp_path, with_, fragment):
    root = _project(tmp_path, f"- pack: rabbitmq\n  with: {with_}\n")
    [d] = _diags(root)
    assert d.code == "PK003" and fragment in d.message, d.render()
    assert d.pos.line == 7 and d.pos.col > 12


def test_missing_required_parameter(tmp_path, monkeypatch):
    from obs import packs
    pack, raw, defects = packs.load("redis")
    params = dict(pack.spec.parameters)
    params["selector"] = params["selector"].model_copy(update={"required": True})
    strict = pack.model_copy(update={"spec": pack.spec.model_copy(update={"parameters": params})})
    monkeypatch.setattr(packs, "load", lambda name: (strict, raw, defects))
    root = _project(tmp_path, "- pack: redis\n")
    [d] = _diags(root)
    assert d.code == "PK004" and "'selector'" in d.message and d.pos.line == 6


def test_exclude_and_notify(tmp_path):
    root = _project(tmp_path, """\
        - pack: redis
          with: {exclude: [RedisRejectedConnections], notify: [platform-email]}
        """)
    alerts = {a.spec.name: a for a in build(root).catalog.alerts}
    assert set(alerts) == {"RedisDown", "RedisMemoryHigh", "RedisTooManyConnections"}
    assert all(a.notify == ("platform-email",) for a in alerts.values())


def test_shop_uses_compile_into_rules_promtool_accepts(shop, promtool):
    import subprocess
    b = build(shop)
    assert not [d for d in b.diags.sorted() if d.code.startswith("PK")], [d.render() for d in b.diags]
    packs_used = {(a.service, a.pack) for a in b.catalog.alerts if a.pack}
    assert packs_used == {("checkout", "jvm"), ("platform-data", "redis"), ("platform-data", "rabbitmq"),
                          ("platform-data", "mysql"), ("platform-data", "elasticsearch")}
    lag = next(a for a in b.catalog.alerts if a.spec.name == "MySQLReplicationLag")
    assert "> 30" in lag.spec.expr and lag.labels["team"] == "platform"
    out = shop / "rules.yaml"
    out.write_bytes(next(a for a in b.artifacts if a.path == "prometheus/platform-data.rules.yaml").content)
    result = subprocess.run([promtool, "check", "rules", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_same_pack_twice_alike_is_a_warning_but_different_selectors_are_fine(tmp_path):
    root = _project(tmp_path, """\
        - pack: redis
          with: {selector: 'cluster="a"'}
        - pack: redis
          with: {selector: 'cluster="b"'}
        - pack: redis
          with: {selector: 'cluster="a"'}
        """)
    [d] = _diags(root)
    assert d.code == "PK006" and d.severity.value == "warning" and d.pos.line == 10


@pytest.mark.parametrize("selector", ['pod=~"redis-[0-9]{1,}"', 'name=~"a{2,}", ns="x"', 'ns="a, }"'])
def test_a_selector_is_put_in_as_written(tmp_path, selector):
    """Only the commas an empty selector leaves are tidied away, never one inside a matcher's value
    (`{1,}` is a regex quantifier)."""
    root = _project(tmp_path, f"- pack: redis\n  with: {{selector: '{selector}'}}\n")
    b = build(root)
    assert not [d.render() for d in b.diags.sorted() if d.severity.value == "error"]
    down = next(a for a in b.catalog.alerts if a.spec.name == "RedisDown")
    assert down.spec.expr == f"redis_up{{{selector}}} == 0"


def test_an_empty_selector_leaves_no_braces_or_commas():
    from obs.packs import substitute
    assert substitute("up{${s}} == 0 and x{${s}, a=\"b\"} and y{a=\"b\",${s}}", {"s": ""}) == \
        'up == 0 and x{a="b"} and y{a="b"}'
    assert substitute('up{${s}} and z{a=~"b{2,}"}', {"s": ""}) == 'up and z{a=~"b{2,}"}'
