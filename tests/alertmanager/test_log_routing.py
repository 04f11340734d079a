"""Log alerts forwarded to Alertmanager (`defaults.logs.alertmanager`) reach their `notify:` channels
there: ElastAlert and Watcher then send only to Alertmanager, so its routes must deliver them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from obs.pipeline import build
from tests.alertmanager.conftest import check_config, routes_test

PROJECT = """\
apiVersion: obs/v1
kind: Project
metadata: {name: logroutes}
spec:
  sources: ["*.yaml"]
  targets: [elastalert, alertmanager]
  defaults:
    logs: {targets: [elastalert]LOGS}
"""
CHANNELS = [
    {"name": "pay-team", "spec": {"type": "webhook", "url": "http://pay.example.com/hook", "match": {"team": "pay"}}},
    {"name": "audit-hook", "spec": {"type": "webhook", "url": "http://audit.example.com/hook"}},
]
ALERTS = [
    {"name": "pay-errors", "query": "app:pay", "when": "count > 5 in 5m", "severity": "critical",
     "summary": "payment errors", "notify": ["audit-hook"]},
    {"name": "pay-quiet", "query": "app:pay", "when": "absent for 15m", "severity": "warning",
     "summary": "no payment logs", "notify": ["pay-team"]},
]


def project(root: Path, forwarded: bool) -> dict:
    logs = ', alertmanager: ["http://alertmanager.monitoring.svc:9093"]' if forwarded else ""
    (root / "obs.yaml").write_text(PROJECT.replace("LOGS", logs))
    docs = [{"apiVersion": "obs/v1", "kind": "Channel", "metadata": {"name": c["name"]}, "spec": c["spec"]}
            for c in CHANNELS]
    docs.append({"apiVersion": "obs/v1", "kind": "Service", "metadata": {"name": "shop", "team": "pay"},
                 "spec": {"logAlerts": ALERTS}})
    (root / "docs.yaml").write_text("---\n".join(json.dumps(d) + "\n" for d in docs))
    b = build(root)
    assert [d.render() for d in b.diags if d.severity.value == "error"] == []
    art = {a.path: a.content.decode() for a in b.artifacts}
    (root / "alertmanager.yaml").write_text(art["alertmanager/alertmanager.yaml"])
    return art


@pytest.fixture(scope="module")
def forwarded(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("logroutes")
    art = project(root, forwarded=True)
    rule = yaml.safe_load(art["elastalert/pay-errors.yaml"])
    assert [next(iter(a)) for a in rule["alert"]] == ["alertmanager"]  # only Alertmanager is told
    return root / "alertmanager.yaml"


def labels(name: str, severity: str) -> dict[str, str]:
    """What ElastAlert's alertmanager alerter sends (obs.logs.channels.alert_labels)."""
    return {"alertname": name, "service": "shop", "severity": severity, "team": "pay"}


def test_forwarded_config_passes_amtool(forwarded, amtool):
    check_config(amtool, forwarded)


@pytest.mark.parametrize("name, severity, receivers", [
    # notify: to a channel that does not match: a route by service and alertname
    ("pay-errors", "critical", ["audit-hook", "pay-team"]),
    # notify: to a channel that already matches: told once
    ("pay-quiet", "warning", ["pay-team"]),
    # another alert of the team with the same severity does not reach audit-hook
    ("PayDown", "critical", ["pay-team"]),
])
def test_notify_of_forwarded_log_alerts_is_routed(forwarded, amtool, name, severity, receivers):
    assert routes_test(amtool, forwarded, labels(name, severity)) == receivers


def test_without_forwarding_alertmanager_has_no_route_for_log_notify(tmp_path):
    project(tmp_path, forwarded=False)
    text = (tmp_path / "alertmanager.yaml").read_text()
    assert "name: audit-hook" in text and "pay-errors" not in text
