"""Every channel type, explicit `notify:`, extra match labels, channel timing and the default
receiver, proven with amtool; secret references become files or placeholders, never values."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from obs.alertmanager.secrets import fill
from obs.pipeline import build
from tests.alertmanager.conftest import check_config, routes_test

PROJECT = """\
apiVersion: obs/v1
kind: Project
metadata: {name: rich}
spec:
  sources: ["*.yaml"]
  targets: [prometheus, alertmanager]
  defaults:
    labels: {cluster: c1}
    alertmanager: {receiver: ops-webhook, groupBy: [alertname, service],
                   dingtalkRelay: "http://dingtalk-relay.ops.svc:8060"}
"""

CHANNELS = """\
apiVersion: obs/v1
kind: Channel
metadata: {name: pay-slack}
spec: {type: slack, url: {env: SLACK_PAY_URL}, channel: "#payments", match: {team: payments}}
---
apiVersion: obs/v1
kind: Channel
metadata: {name: pay-pager}
spec: {type: pagerduty, routingKey: {secret: {name: pagerduty, key: payments}},
       match: {team: payments, severity: critical}, repeatInterval: 30m}
---
apiVersion: obs/v1
kind: Channel
metadata: {name: tier1-wecom}
spec: {type: wecom, url: {env: WECOM_ROBOT}, corpId: ww123, agentId: "1000002", apiSecret: {env: WECOM_SECRET},
       toParty: "2", match: {tier: "1"}}
---
apiVersion: obs/v1
kind: Channel
metadata: {name: dba-dingtalk}
spec: {type: dingtalk, url: {env: DT_DBA}, secret: {env: DT_DBA_SIGN}}
---
apiVersion: obs/v1
kind: Channel
metadata: {name: audit-hook}
spec: {type: webhook, url: {env: AUDIT_HOOK_URL}}
---
apiVersion: obs/v1
kind: Channel
metadata: {name: ops-webhook}
spec: {type: webhook, url: "http://ops-bridge.ops.svc:8080/alerts", sendResolved: false}
---
apiVersion: obs/v1
kind: Channel
metadata: {name: data-mail}
spec: {type: email, to: [a@data.example.com, b@data.example.com], from: am@example.com,
       smarthost: "smtp.example.com:465", username: mailer, password: {secret: {name: smtp, key: password}},
       match: {team: data}, groupWait: 1m}
"""

SERVICES = """\
apiVersion: obs/v1
kind: Service
metadata: {name: checkout, team: payments, labels: {tier: "1"}}
spec:
  uses:
    - pack: mysql
      with: {notify: [dba-dingtalk]}
  alerts:
    - {name: CheckoutDown, expr: up == 0, severity: critical, summary: down, notify: [audit-hook]}
    - {name: CheckoutSlow, expr: up == 0, severity: warning, summary: slow, notify: [pay-slack]}
---
apiVersion: obs/v1
kind: Service
metadata: {name: etl, team: data}
spec:
  alerts:
    - {name: EtlLate, expr: up == 0, severity: info, summary: late}
"""


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("rich")
    (root / "obs.yaml").write_text(PROJECT)
    (root / "channels.yaml").write_text(CHANNELS)
    (root / "services.yaml").write_text(SERVICES)
    b = build(root)
    errors = [d.render() for d in b.diags.sorted() if d.severity.value == "error"]
    assert not errors, errors
    art = {a.path: a.content.decode() for a in b.artifacts}
    path = root / "alertmanager.yaml"
    path.write_text(art["alertmanager/alertmanager.yaml"])
    (root / "secrets.yaml").write_text(art["kubernetes/alertmanager.yaml"])
    return path


def test_rich_config_passes_amtool(config, amtool):
    check_config(amtool, config)


@pytest.mark.parametrize("labels, receivers", [
    # team match, plus severity-specific PagerDuty, plus tier match
    ({"team": "payments", "severity": "critical", "tier": "1"}, ["pay-pager", "pay-slack", "tier1-wecom"]),
    ({"team": "payments", "severity": "warning"}, ["pay-slack"]),
    # notify: to a channel that does not match: an explicit route by service and alertname
    ({"team": "payments", "severity": "critical", "service": "checkout", "alertname": "CheckoutDown"},
     ["audit-hook", "pay-pager", "pay-slack"]),
    # notify: to a channel that already matches is not sent twice
    ({"team": "payments", "severity": "warning", "service": "checkout", "alertname": "CheckoutSlow"}, ["pay-slack"]),
    # a pack's notify
    ({"team": "payments", "severity": "critical", "service": "checkout", "alertname": "MySQLDown"},
     ["dba-dingtalk", "pay-pager", "pay-slack"]),
    ({"team": "data", "severity": "info"}, ["data-mail"]),
    # unknown team: only label matches apply, else the default receiver
    ({"team": "elsewhere", "severity": "critical", "tier": "1"}, ["tier1-wecom"]),
    ({"team": "elsewhere", "severity": "critical"}, ["ops-webhook"]),
])
def test_routes(config, amtool, labels, receivers):
    assert routes_test(amtool, config, labels) == receivers


def test_receivers_reference_secrets(config):
    receivers = {r["name"]: r for r in yaml.safe_load(config.read_text())["receivers"]}
    slack = receivers["pay-slack"]["slack_configs"][0]
    assert slack["api_url_file"] == "/etc/alertmanager/secrets/alertmanager-main-env/SLACK_PAY_URL"
    assert slack["channel"] == "#payments"
    assert receivers["pay-pager"]["pagerduty_configs"][0]["routing_key_file"] == \
        "/etc/alertmanager/secrets/pagerduty/payments"
    wechat = receivers["tier1-wecom"]["wechat_configs"][0]
    assert wechat == {"send_resolved": True, "corp_id": "ww123", "agent_id": "1000002",
                      "api_secret": "${WECOM_SECRET}", "to_party": "2"}
    assert receivers["audit-hook"]["webhook_configs"][0]["url"] == "https://obs.invalid/${AUDIT_HOOK_URL}"
    assert receivers["ops-webhook"]["webhook_configs"][0] == {"send_resolved": False,
                                                              "url": "http://ops-bridge.ops.svc:8080/alerts"}
    mail = receivers["data-mail"]["email_configs"][0]
    assert mail["to"] == "a@data.example.com, b@data.example.com" and mail["auth_username"] == "mailer"
    assert mail["auth_password_file"] == "/etc/alertmanager/secrets/smtp/password"
    docs = {d["metadata"]["name"]: d for d in yaml.safe_load_all((config.parent / "secrets.yaml").read_text())}
    assert docs["alertmanager-main-env"]["stringData"] == {"SLACK_PAY_URL": "${SLACK_PAY_URL}"}
    relay = yaml.safe_load(docs["alertmanager-main-dingtalk"]["stringData"]["config.yml"])
    assert relay == {"targets": {"dba-dingtalk": {"url": "${DT_DBA}", "secret": "${DT_DBA_SIGN}"}}}


def test_timing_defaults_and_overrides(config):
    route = yaml.safe_load(config.read_text())["route"]
    assert route["receiver"] == "ops-webhook" and route["group_by"] == ["alertname", "service"]
    assert (route["group_wait"], route["group_interval"], route["repeat_interval"]) == ("30s", "5m", "4h")
    payments = next(r for r in route["routes"] if r.get("matchers") == ['team="payments"'])
    critical = next(r for r in payments["routes"] if r.get("matchers") == ['severity="critical"'])
    assert critical["repeat_interval"] == "1h"
    pager = next(r for r in critical["routes"] if r["receiver"] == "pay-pager")
    assert pager["repeat_interval"] == "30m" and "matchers" not in pager and pager["continue"] is True


def test_filled_config_is_valid_and_placeholders_are_whole_values(config, amtool, tmp_path):
    values = {"AUDIT_HOOK_URL": "https://audit.example.com/hook?token=a\"b", "WECOM_SECRET": "s3cr3t"}
    text, missing = fill(config.read_text(), values.get)
    assert missing == []
    receivers = {r["name"]: r for r in yaml.safe_load(text)["receivers"]}
    assert receivers["audit-hook"]["webhook_configs"][0]["url"] == values["AUDIT_HOOK_URL"]
    assert receivers["tier1-wecom"]["wechat_configs"][0]["api_secret"] == "s3cr3t"
    filled = tmp_path / "filled.yaml"
    filled.write_text(text)
    check_config(amtool, filled)
    assert fill(config.read_text(), {}.get)[1] == ["AUDIT_HOOK_URL", "WECOM_SECRET"]


def _lint(tmp_path: Path, channels: str, extra_project: str = "") -> list:
    (tmp_path / "obs.yaml").write_text(PROJECT.replace(
        "    alertmanager: {receiver: ops-webhook, groupBy: [alertname, service],\n"
        "                   dingtalkRelay: \"http://dingtalk-relay.ops.svc:8060\"}\n", extra_project))
    (tmp_path / "channels.yaml").write_text(textwrap.dedent(channels))
    (tmp_path / "services.yaml").write_text(SERVICES.replace("      with: {notify: [dba-dingtalk]}\n", "")
                                            .replace(", notify: [audit-hook]", "").replace(", notify: [pay-slack]", ""))
    return [d for d in build(tmp_path).diags.sorted() if d.code.startswith("AM")]


def test_checks_unknown_default_receiver_team_typo_and_unrouted_team(tmp_path):
    diags = _lint(tmp_path, """\
        apiVersion: obs/v1
        kind: Channel
        metadata: {name: pay-slack}
        spec: {type: slack, url: {env: X}, match: {team: paymnets}}
        """, "    alertmanager: {receiver: pay-slak}\n")
    by_code = {d.code: d for d in diags}
    assert by_code["AM002"].hint == "did you mean 'pay-slack'?" and by_code["AM002"].pos.file == "obs.yaml"
    assert by_code["AM004"].hint == "did you mean 'payments'?"
    assert (by_code["AM004"].pos.line, by_code["AM004"].pos.col) == (4, 50)
    assert "AM003" not in by_code  # a default receiver catches them
    diags = _lint(tmp_path, """\
        apiVersion: obs/v1
        kind: Channel
        metadata: {name: pay-slack}
        spec: {type: slack, url: {env: X}, match: {team: payments}}
        """)
    assert [(d.code, d.severity.value) for d in diags] == [("AM003", "warning")]
    assert "'data'" in diags[0].message and "etl/EtlLate" in diags[0].message


def test_email_without_smarthost_is_an_error(tmp_path):
    diags = _lint(tmp_path, """\
        apiVersion: obs/v1
        kind: Channel
        metadata: {name: mail}
        spec: {type: email, to: [x@example.com], match: {team: data}}
        """)
    assert [d.code for d in diags if d.severity.value == "error"] == ["AM001"]
