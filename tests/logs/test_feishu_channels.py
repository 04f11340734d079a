"""Feishu channels on the log targets. ElastAlert 2 has a `lark` alerter, but it builds the URL as
`https://open.feishu.cn/open-apis/bot/v2/hook/<lark_bot_id>` (elastalert/alerters/lark.py), so obs posts the
robot's text message with `post2` to the whole URL; ElastAlert's own loader loads the rule and its alerter
sends the message for real. Watches and monitors post the same JSON message. A signing robot no log target
can sign for is AM008 on each target; no secret value reaches out/."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from helpers import run_obs
from jsonschema import Draft202012Validator
from servers import elastalert_load

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
ROBOT = "https://open.feishu.cn/open-apis/bot/v2/hook/9b1d-secret-robot"
PROJECT = """\
apiVersion: obs/v1
kind: Project
metadata: {name: fs}
spec:
  sources: ["*.yaml"]
  targets: [elastalert, watcher, opensearch-monitor]
"""
CHANNEL = """\
apiVersion: obs/v1
kind: Channel
metadata: {name: pay-feishu}
spec: {type: feishu, url: {env: FEISHU_URL}}
"""
SERVICE = """\
apiVersion: obs/v1
kind: Service
metadata: {name: pay, team: payments}
spec:
  logAlerts:
    - name: pay-errors
      index: logs-*
      query: 'level:error'
      when: count > 5 in 5m
      severity: warning
      summary: "Errors in {{ kubernetes.pod_name }}"
      description: "Last: {{ message }}"
      notify: [pay-feishu]
      targets: [elastalert, watcher, opensearch-monitor]
"""
MATCH = {"@timestamp": "2026-01-05T10:00:00Z", "message": 'refused "card" 4\\2', "kubernetes": {"pod_name": "pay-7d9"}}


def _compile(root: Path, channel: str = CHANNEL, project: str = PROJECT, code: int = 0):
    root.mkdir()
    (root / "obs.yaml").write_text(project)
    (root / "channel.yaml").write_text(channel)
    (root / "service.yaml").write_text(SERVICE)
    result = run_obs("compile", cwd=root, env={"FEISHU_URL": ROBOT})
    assert result.returncode == code, result.stderr
    return root / "out", result


class _Robot(BaseHTTPRequestHandler):
    """Stands in for the Feishu robot: records each message."""

    bodies: list = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        self.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"code": 0, "msg": "success"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def robot():
    server = HTTPServer(("127.0.0.1", 0), _Robot)
    _Robot.bodies = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/open-apis/bot/v2/hook/robot", _Robot.bodies
    server.shutdown()
    server.server_close()


def test_elastalert_loads_the_rule_and_posts_the_feishu_text_message(tmp_path, robot):
    url, bodies = robot
    out, _ = _compile(tmp_path / "p")
    rule = out / "elastalert" / "pay-errors.yaml"
    assert "${FEISHU_URL}" in rule.read_text()
    env = {"FEISHU_URL": url, "EA_MATCH": json.dumps(MATCH), "EA_SEND": "1"}
    loaded = elastalert_load([rule], env=env)["pay-errors.yaml"]
    assert "error" not in loaded, loaded
    [alerter] = loaded["alerters"]
    assert alerter["class"] == "HTTPPost2Alerter" and alerter["options"]["http_post2_url"] == url
    assert bodies == [{"msg_type": "text", "content": {"text": 'Errors in pay-7d9\n\nLast: refused "card" 4\\2'}}]


def test_watch_and_monitor_post_the_feishu_json_message(tmp_path):
    out, _ = _compile(tmp_path / "p")
    watch = json.loads((out / "watcher" / "fs-pay-errors.json").read_text())
    monitor = json.loads((out / "opensearch" / "fs-pay-errors.json").read_text())
    for schema, doc in (("watcher-watch.json", watch), ("opensearch-monitor.json", monitor)):
        Draft202012Validator(json.loads((SCHEMAS / schema).read_text())).validate(doc)
    webhook = watch["actions"]["pay-feishu"]["webhook"]
    assert webhook["url"] == "${FEISHU_URL}" and webhook["headers"] == {"Content-Type": "application/json"}
    for body in (webhook["body"],
                 monitor["triggers"][0]["query_level_trigger"]["actions"][0]["message_template"]["source"]):
        message = json.loads(body)  # valid JSON with the mustache tags inside its one string
        assert message["msg_type"] == "text" and list(message["content"]) == ["text"]
        assert message["content"]["text"].startswith("Errors in {{ctx.")
    config = json.loads((out / "opensearch-notifications" / "obs-pay-feishu.json").read_text())["config"]
    assert config["config_type"] == "webhook" and config["webhook"]["url"] == "${FEISHU_URL}"


def test_no_secret_value_in_out(tmp_path):
    out, _ = _compile(tmp_path / "p")
    for path in out.rglob("*"):
        if path.is_file():
            assert ROBOT not in path.read_text() and "secret-robot" not in path.read_text(), path


def test_a_signing_robot_is_am008_on_every_log_target(tmp_path):
    channel = CHANNEL.replace("url: {env: FEISHU_URL}", "url: {env: FEISHU_URL}, secret: {env: FEISHU_SIGN}")
    _, result = _compile(tmp_path / "p", channel, code=1)
    errors = sorted(line for line in result.stderr.splitlines() if "error[" in line)
    assert errors == [f"service.yaml:13:15: error[AM008]: log alert 'pay-errors': target {t} cannot sign messages "
                      f"to Feishu channel 'pay-feishu' (it has `secret:`)"
                      for t in ("elastalert", "opensearch-monitor", "watcher")], result.stderr
    through_alertmanager = PROJECT + "  defaults:\n    logs: {alertmanager: ['http://alertmanager.ops.svc:9093']}\n"
    _compile(tmp_path / "q", channel, through_alertmanager)  # notification-manager can sign behind Alertmanager
