"""Feishu channels in the notification-manager target: the custom bot (webhook, signing secret) and the
app's messages to users and departments become a Receiver `spec.feishu` and a Config `spec.feishu` that
notification-manager v2.5.3's CRD schemas accept, every credential a Secret reference; app recipients
that only notification-manager sends are a warning where Alertmanager would deliver the channel too."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from obs.pipeline import build
from tests.helpers import run_obs

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
PROJECT = """\
apiVersion: obs/v1
kind: Project
metadata: {name: fs}
spec:
  sources: ["*.yaml"]
  targets: [prometheus, alertmanager, notification-manager]
  defaults:
    kubernetes: {namespace: kubesphere-monitoring-system}
"""
CHANNELS = """\
apiVersion: obs/v1
kind: Channel
metadata: {name: pay-robot}
spec: {type: feishu, url: {env: FEISHU_URL}, secret: {secret: {name: feishu, key: sign}}, match: {team: payments}}
---
apiVersion: obs/v1
kind: Channel
metadata: {name: pay-app}
spec: {type: feishu, url: {secret: {name: feishu, key: webhook}}, appId: cli_a1b2c3d4e5,
       appSecret: {env: FEISHU_APP_SECRET}, userIds: [ou_1a2b, ou_3c4d], departmentIds: [od_5e6f],
       match: {team: payments, severity: critical}}
"""
SERVICES = """\
apiVersion: obs/v1
kind: Service
metadata: {name: pay, team: payments}
spec:
  alerts:
    - {name: PayDown, expr: up == 0, severity: critical, summary: payments are down}
"""
#: what the environment would hold: none of it may reach out/
VALUES = {"FEISHU_URL": "https://open.feishu.cn/open-apis/bot/v2/hook/6f2c1b7e-robot",
          "FEISHU_APP_SECRET": "app-secret-Zq81"}


def _write(root: Path, channels: str = CHANNELS, project: str = PROJECT) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "obs.yaml").write_text(project)
    (root / "channels.yaml").write_text(channels)
    (root / "services.yaml").write_text(SERVICES)
    return root


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> Path:
    root = _write(tmp_path_factory.mktemp("fs") / "p")
    result = run_obs("compile", cwd=root, env=VALUES)
    assert result.returncode == 0, result.stderr
    return root / "out"


@pytest.fixture(scope="module")
def objects(compiled) -> dict[tuple[str, str], dict]:
    text = (compiled / "kubernetes" / "notification-manager.yaml").read_text()
    return {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(text)}


def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _ref(name: str, key: str) -> dict:
    return {"valueFrom": {"secretKeyRef": {"name": name, "key": key, "namespace": "kubesphere-monitoring-system"}}}


def test_receivers_and_configs_pass_the_crd_schemas(objects):
    schemas = {"Receiver": _validator("notification-manager-receiver.json"),
               "Config": _validator("notification-manager-config.json")}
    checked = 0
    for (kind, name), obj in objects.items():
        if kind in schemas:
            assert [e.message for e in schemas[kind].iter_errors(obj)] == [], (kind, name)
            checked += 1
    assert checked == 3  # two Receivers, one Config (the robot alone needs none)


def test_the_robot_is_a_chatbot_with_its_signing_secret(objects):
    spec = objects[("Receiver", "fs-pay-robot")]["spec"]
    assert list(spec) == ["feishu"]
    assert spec["feishu"]["chatbot"] == {"webhook": _ref("fs-notification-manager-env", "FEISHU_URL"),
                                         "secret": _ref("feishu", "sign")}
    assert "feishuConfigSelector" not in spec["feishu"] and ("Config", "fs-pay-robot") not in objects


def test_app_recipients_get_a_config_with_the_app_credentials(objects):
    rcv = objects[("Receiver", "fs-pay-app")]["spec"]["feishu"]
    assert rcv["user"] == ["ou_1a2b", "ou_3c4d"] and rcv["department"] == ["od_5e6f"]
    assert rcv["chatbot"] == {"webhook": _ref("feishu", "webhook")}
    assert rcv["feishuConfigSelector"] == {"matchLabels": {"obs.dev/channel": "pay-app"}}
    conf = objects[("Config", "fs-pay-app")]
    assert conf["metadata"]["labels"]["type"] == "default"  # the only Configs a global receiver takes
    assert conf["spec"] == {"feishu": {"appID": {"value": "cli_a1b2c3d4e5"},
                                       "appSecret": _ref("fs-notification-manager-env", "FEISHU_APP_SECRET")}}
    env = objects[("Secret", "fs-notification-manager-env")]["stringData"]
    assert env == {"FEISHU_APP_SECRET": "${FEISHU_APP_SECRET}", "FEISHU_URL": "${FEISHU_URL}"}


def test_no_secret_value_is_written(compiled):
    for path in compiled.rglob("*"):
        if path.is_file():
            text = path.read_text()
            for value in VALUES.values():
                assert value not in text, path
    assert "open.feishu.cn" not in (compiled / "kubernetes" / "notification-manager.yaml").read_text()


def test_app_recipients_with_alertmanager_delivering_are_a_warning(tmp_path):
    project = PROJECT.replace("    kubernetes:", "    alertmanager: {mode: secret, feishuRelay: 'http://pa:8080'}\n"
                                                "    kubernetes:")
    root = _write(tmp_path / "p", project=project)
    result = run_obs("lint", cwd=root)
    lines = [line for line in result.stderr.splitlines() if "[AM009]" in line]
    assert lines == ["channels.yaml:10:54: warning[AM009]: feishu channel 'pay-app' lists `userIds`, which only "
                     "notification-manager sends; Alertmanager would post to its robot `url` alone"], result.stderr
    quiet = run_obs("lint", cwd=_write(tmp_path / "q"))
    assert "AM009" not in quiet.stderr, quiet.stderr


@pytest.mark.parametrize(("extra", "message"), [
    ("userIds: [ou_1], appSecret: {env: S}", "a feishu channel needs 'appId'"),
    ("departmentIds: [od_1], appId: cli_1", "a feishu channel needs 'appSecret'"),
    ("userIds: [" + ", ".join(f"ou_{i}" for i in range(201)) + "], appId: cli_1, appSecret: {env: S}",
     "userIds lists 201 ids; Feishu's batch message and notification-manager's Receiver take at most 200"),
])
def test_a_bad_app_channel_is_one_schema_error(tmp_path, extra, message):
    channel = ("apiVersion: obs/v1\nkind: Channel\nmetadata: {name: bad}\n"
               f"spec: {{type: feishu, url: {{env: U}}, {extra}}}\n")
    b = build(_write(tmp_path / "p", channels=channel))
    errors = [d.render() for d in b.diags.sorted() if d.severity.value == "error"]
    assert len(errors) == 1 and "error[SC007]" in errors[0] and message in errors[0], errors
    assert re.match(r"channels\.yaml:4:\d+: ", errors[0]), errors
