"""The notification-manager target: every channel kind compiles into Receiver/Config objects that
notification-manager v2.5.3's CRD schemas accept, credentials only as Secret references, alert
selection by the channel's `match:` and `notify:`, tenant channels labelled as KubeSphere selects
them, and channels it cannot send are one-line errors."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

from obs.pipeline import build
from tests.helpers import run_obs

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
OBS_LABELS = {"app.kubernetes.io/managed-by": "obs", "obs.dev/project": "notify"}

PROJECT = """\
apiVersion: obs/v1
kind: Project
metadata: {name: notify}
spec:
  sources: ["*.yaml"]
  targets: [prometheus, alertmanager, notification-manager]
  defaults:
    kubernetes: {namespace: kubesphere-monitoring-system}
"""

CHANNELS = """\
apiVersion: obs/v1
kind: Channel
metadata: {name: pay-dingtalk}
spec: {type: dingtalk, url: {secret: {name: dingtalk, key: webhook}}, secret: {env: DT_SIGN},
       match: {team: payments}}
---
apiVersion: obs/v1
kind: Channel
metadata: {name: pay-chat}
spec: {type: dingtalk, url: {env: DT_URL}, chatIds: [chat0123], appKey: {env: DT_APPKEY},
       appSecret: {secret: {name: dingtalk-app, key: secret}}, match: {team: payments, severity: critical}}
---
apiVersion: obs/v1
kind: Channel
metadata: {name: ops-robot}
spec: {type: wecom, url: {env: WECOM_ROBOT}, match: {team: ops}}
---
apiVersion: obs/v1
kind: Channel
metadata: {name: ops-app}
spec: {type: wecom, url: {env: WECOM_ROBOT}, corpId: ww123, agentId: "1000002", apiSecret: {env: WECOM_SECRET},
       toParty: "2|3", match: {team: ops, severity: critical}}
---
apiVersion: obs/v1
kind: Channel
metadata: {name: data-mail}
spec: {type: email, to: [a@data.example.com], smarthost: "smtp.example.com:465", username: mailer,
       password: {secret: {name: smtp, key: password}}, match: {team: data}}
---
apiVersion: obs/v1
kind: Channel
metadata: {name: data-slack}
spec: {type: slack, url: {env: SLACK_URL}, token: {env: SLACK_TOKEN}, channel: "#data"}
---
apiVersion: obs/v1
kind: Channel
metadata: {name: audit-hook}
spec: {type: webhook, url: "http://audit.ops.svc:8080/alerts", match: {team: ops}}
---
apiVersion: obs/v1
kind: Channel
metadata: {name: tenant-mail}
spec: {type: email, to: [dev@example.com], smarthost: "smtp.example.com:587", tenant: alice, match: {team: data}}
"""

SERVICES = """\
apiVersion: obs/v1
kind: Service
metadata: {name: etl, team: data}
spec:
  alerts:
    - {name: EtlLate, expr: up == 0, severity: info, summary: late, notify: [data-slack]}
    - {name: EtlDead, expr: up == 0, severity: critical, summary: dead, notify: [data-slack, data-mail]}
"""


def _write(root: Path, channels: str = CHANNELS, project: str = PROJECT) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "obs.yaml").write_text(project)
    (root / "channels.yaml").write_text(textwrap.dedent(channels))
    (root / "services.yaml").write_text(SERVICES)
    return root


@pytest.fixture(scope="module")
def objects(tmp_path_factory) -> dict[tuple[str, str], dict]:
    b = build(_write(tmp_path_factory.mktemp("nm") / "p"))
    errors = [d.render() for d in b.diags.sorted() if d.severity.value == "error"]
    assert not errors, errors
    text = next(a.content.decode() for a in b.artifacts if a.path == "kubernetes/notification-manager.yaml")
    return {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(text)}


def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_every_object_passes_the_crd_schema_and_carries_obs_labels(objects):
    schemas = {"Receiver": _validator("notification-manager-receiver.json"),
               "Config": _validator("notification-manager-config.json")}
    kinds = {kind for kind, _ in objects}
    assert kinds == {"Receiver", "Config", "Secret"}
    for (kind, name), obj in objects.items():
        if kind in schemas:
            errors = [e.message for e in schemas[kind].iter_errors(obj)]
            assert not errors, (name, errors)
            assert "namespace" not in obj["metadata"], "Receiver and Config are cluster-scoped"
        assert OBS_LABELS.items() <= obj["metadata"]["labels"].items()


def test_the_schema_refuses_what_the_crd_would_prune(objects):
    bad = json.loads(json.dumps(objects[("Receiver", "notify-ops-robot")]))
    bad["spec"]["wechat"]["chatbot"]["url"] = "https://example.com"
    assert list(_validator("notification-manager-receiver.json").iter_errors(bad))


def test_dingtalk_robot_signing_and_conversation(objects):
    robot = objects[("Receiver", "notify-pay-dingtalk")]["spec"]["dingtalk"]
    ns = "kubesphere-monitoring-system"
    assert robot["chatbot"] == {
        "webhook": {"valueFrom": {"secretKeyRef": {"name": "dingtalk", "key": "webhook", "namespace": ns}}},
        "secret": {"valueFrom": {"secretKeyRef": {"name": "notify-notification-manager-env", "key": "DT_SIGN",
                                                  "namespace": ns}}}}
    assert robot["alertSelector"] == {"matchLabels": {"team": "payments"}}
    assert "dingtalkConfigSelector" not in robot  # a robot needs no Config
    chat = objects[("Receiver", "notify-pay-chat")]["spec"]["dingtalk"]
    assert chat["conversation"] == {"chatids": ["chat0123"]}
    assert chat["alertSelector"] == {"matchLabels": {"severity": "critical", "team": "payments"}}
    assert chat["dingtalkConfigSelector"] == {"matchLabels": {"obs.dev/channel": "pay-chat"}}
    conf = objects[("Config", "notify-pay-chat")]
    assert conf["metadata"]["labels"]["type"] == "default"
    assert conf["spec"]["dingtalk"]["conversation"]["appsecret"]["valueFrom"]["secretKeyRef"]["name"] == "dingtalk-app"


def test_wecom_robot_and_app(objects):
    robot = objects[("Receiver", "notify-ops-robot")]["spec"]["wechat"]
    assert robot["chatbot"]["webhook"]["valueFrom"]["secretKeyRef"]["key"] == "WECOM_ROBOT"
    app = objects[("Receiver", "notify-ops-app")]["spec"]["wechat"]
    assert app["toParty"] == ["2", "3"] and "chatbot" not in app
    conf = objects[("Config", "notify-ops-app")]["spec"]["wechat"]
    assert (conf["wechatApiCorpId"], conf["wechatApiAgentId"]) == ("ww123", "1000002")
    assert conf["wechatApiSecret"]["valueFrom"]["secretKeyRef"]["key"] == "WECOM_SECRET"


def test_email_slack_webhook(objects):
    mail = objects[("Config", "notify-data-mail")]["spec"]["email"]
    assert mail["smartHost"] == {"host": "smtp.example.com", "port": 465} and mail["authUsername"] == "mailer"
    assert mail["authPassword"]["valueFrom"]["secretKeyRef"] == {"name": "smtp", "key": "password",
                                                                "namespace": "kubesphere-monitoring-system"}
    assert objects[("Receiver", "notify-data-mail")]["spec"]["email"]["to"] == ["a@data.example.com"]
    slack = objects[("Config", "notify-data-slack")]["spec"]["slack"]["slackTokenSecret"]
    assert slack["valueFrom"]["secretKeyRef"]["key"] == "SLACK_TOKEN"
    hook = objects[("Receiver", "notify-audit-hook")]["spec"]["webhook"]
    assert hook["url"] == "http://audit.ops.svc:8080/alerts" and "webhookConfigSelector" not in hook


def test_notify_selects_by_service_and_alertname_where_match_does_not_deliver(objects):
    slack = objects[("Receiver", "notify-data-slack-alertname-etl")]["spec"]["slack"]["alertSelector"]
    assert slack == {"matchLabels": {"service": "etl"},
                     "matchExpressions": [{"key": "alertname", "operator": "In", "values": ["EtlDead", "EtlLate"]}]}
    # data-mail's match {team: data} already takes EtlDead: no second Receiver, nobody told twice
    assert [n for k, n in objects if n.startswith("notify-data-mail")] == ["notify-data-mail", "notify-data-mail"]


def test_global_and_tenant_labels(objects):
    assert objects[("Receiver", "notify-data-mail")]["metadata"]["labels"]["type"] == "global"
    tenant = objects[("Receiver", "notify-tenant-mail")]["metadata"]["labels"]
    assert (tenant["type"], tenant["user"]) == ("tenant", "alice")
    conf = objects[("Config", "notify-tenant-mail")]["metadata"]["labels"]
    assert (conf["type"], conf["user"]) == ("tenant", "alice")


def test_secrets_only_as_references(objects):
    env = objects[("Secret", "notify-notification-manager-env")]
    assert env["metadata"]["namespace"] == "kubesphere-monitoring-system"
    assert env["stringData"] == {v: f"${{{v}}}" for v in
                                 ["DT_APPKEY", "DT_SIGN", "DT_URL", "SLACK_TOKEN", "WECOM_ROBOT", "WECOM_SECRET"]}
    dumped = json.dumps([o for (k, _), o in objects.items() if k != "Secret"])
    assert '"value"' not in dumped  # every credential is a secretKeyRef


@pytest.mark.parametrize("channel, field", [
    ("{type: slack, url: {env: S}, channel: '#x', match: {team: data}}", "token"),
    ("{type: webhook, url: {env: HOOK}, match: {team: data}}", "url"),
    ("{type: pagerduty, routingKey: {env: PD}, match: {team: data}}", "type"),
])
def test_what_notification_manager_cannot_send_is_one_error_line(tmp_path, channel, field):
    root = _write(tmp_path / "p", f"apiVersion: obs/v1\nkind: Channel\nmetadata: {{name: c}}\nspec: {channel}\n")
    result = run_obs("compile", cwd=root)
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if "error[AM006]" in line]
    assert len(lines) == 1 and "channel 'c'" in lines[0], result.stderr
    spec_line = (root / "channels.yaml").read_text().splitlines()[3]
    col = int(lines[0].split(":")[2])  # at the value that cannot be sent; a missing token: at the spec
    assert lines[0].startswith("channels.yaml:4:")
    assert spec_line[:col - 1].endswith(f"{field}: ") if field != "token" else spec_line[col - 1] == "{"
    assert "Traceback" not in result.stderr
