"""Feishu with Alertmanager delivering: Alertmanager has no Feishu notifier, so a feishu channel goes through
PrometheusAlert (`<feishuRelay>/prometheusalert?type=fs&tpl=prometheus-fs&fsurl=<robot url>`). Without the
setting it is one AM005 error line (exit 2), never a guessed URL; a signing secret the relay cannot use is
AM008. With it the config passes amtool, and a real Alertmanager posts the alert to the relay with the robot
URL that `obs apply` fills in."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
import yaml

from obs.alertmanager.secrets import fill
from obs.project import AlertmanagerDefaults
from tests.alertmanager.conftest import check_config, routes_test
from tests.helpers import run_obs

SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "alertmanagerconfig.json"
ROBOT = "https://open.feishu.cn/open-apis/bot/v2/hook/5a0c7e2d-secret-robot"
CHANNEL = """\
apiVersion: obs/v1
kind: Channel
metadata: {name: pay-feishu}
spec:
  type: feishu
  url: {env: FEISHU_URL}
  match: {team: payments}
"""
SERVICES = """\
apiVersion: obs/v1
kind: Service
metadata: {name: pay, team: payments}
spec:
  alerts:
    - {name: PayDown, expr: up == 0, severity: critical, summary: payments are down}
"""


def _project(root: Path, alertmanager: str = "", channel: str = CHANNEL) -> Path:
    root.mkdir()
    (root / "obs.yaml").write_text("apiVersion: obs/v1\nkind: Project\nmetadata: {name: fs}\nspec:\n"
                                   "  sources: [channels.yaml, services.yaml]\n  targets: [prometheus, alertmanager]\n"
                                   + (f"  defaults:\n    alertmanager: {alertmanager}\n" if alertmanager else ""))
    (root / "channels.yaml").write_text(channel)
    (root / "services.yaml").write_text(SERVICES)
    return root


def test_no_guessed_feishu_relay():
    assert AlertmanagerDefaults().feishuRelay is None


@pytest.mark.parametrize("mode", ["", "{mode: alertmanagerconfig}"])
def test_a_missing_relay_is_one_error_line_and_exit_2(tmp_path, mode):
    root = _project(tmp_path / "p", mode)
    result = run_obs("compile", cwd=root)
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error[" in line]
    assert errors == ["channels.yaml:5:9: error[AM005]: feishu channel 'pay-feishu' needs a relay (PrometheusAlert) "
                      "for Alertmanager to deliver it, and defaults.alertmanager.feishuRelay is not set"]
    hint = result.stderr.split(errors[0], 1)[1].splitlines()[1]
    assert "defaults.alertmanager.feishuRelay" in hint and "notification-manager" in hint
    assert "Traceback" not in result.stderr and "relay.invalid" not in result.stderr
    assert not (root / "out" / "alertmanager").exists() and not (root / "out" / "kubernetes").exists()


def test_a_signing_secret_the_relay_cannot_use_is_am008(tmp_path):
    channel = CHANNEL.replace("  match:", "  secret: {env: FEISHU_SIGN}\n  match:")
    root = _project(tmp_path / "p", '{feishuRelay: "http://pa.ops.svc:8080"}', channel)
    result = run_obs("compile", cwd=root)
    errors = [line for line in result.stderr.splitlines() if "error[" in line]
    assert errors == ["channels.yaml:7:11: error[AM008]: feishu channel 'pay-feishu' has a signing `secret:`, and "
                      "Alertmanager delivers it through PrometheusAlert, whose request names only the robot URL "
                      "(`fsurl`): Feishu would refuse every unsigned message"], result.stderr
    assert result.returncode == 1


def test_the_relay_url_passes_amtool_and_routes_the_team(tmp_path, amtool):
    root = _project(tmp_path / "p", '{feishuRelay: "http://pa.ops.svc:8080/"}')
    result = run_obs("compile", cwd=root, env={"FEISHU_URL": ROBOT})
    assert result.returncode == 0, result.stderr
    config = root / "out" / "alertmanager" / "alertmanager.yaml"
    text = config.read_text()
    [receiver] = [r for r in yaml.safe_load(text)["receivers"] if r["name"] == "pay-feishu"]
    assert receiver["webhook_configs"] == [{"send_resolved": True, "url": "http://pa.ops.svc:8080/prometheusalert"
                                            "?type=fs&tpl=prometheus-fs&fsurl=${FEISHU_URL}"}]
    assert ROBOT not in text
    check_config(amtool, config)
    filled, missing = fill(text, {"FEISHU_URL": ROBOT}.get)  # what `obs apply` sends
    assert missing == []
    (tmp_path / "filled.yaml").write_text(filled)
    check_config(amtool, tmp_path / "filled.yaml")
    assert routes_test(amtool, tmp_path / "filled.yaml", {"team": "payments", "severity": "critical"}) == ["pay-feishu"]


class _Relay(BaseHTTPRequestHandler):
    """Stands in for PrometheusAlert: records the query and the Alertmanager webhook body."""

    seen: list = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.seen.append((urlsplit(self.path).path, parse_qs(urlsplit(self.path).query), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_real_alertmanager_posts_to_the_relay_with_the_robot_url(tmp_path, alertmanager):
    server = HTTPServer(("127.0.0.1", 0), _Relay)
    _Relay.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        relay = f"http://127.0.0.1:{server.server_port}"
        root = _project(tmp_path / "p", f'{{feishuRelay: "{relay}", groupWait: 1s}}')
        assert run_obs("compile", cwd=root).returncode == 0
        filled, _ = fill((root / "out" / "alertmanager" / "alertmanager.yaml").read_text(), {"FEISHU_URL": ROBOT}.get)
        (tmp_path / "filled.yaml").write_text(filled)
        alertmanager.start(tmp_path / "filled.yaml")
        alertmanager.post([{"labels": {"alertname": "PayDown", "team": "payments", "severity": "critical"},
                            "annotations": {"summary": "payments are down"}}])
        for _ in range(150):
            if _Relay.seen:
                break
            time.sleep(0.1)
        assert _Relay.seen, "Alertmanager did not post to the relay"
        path, query, body = _Relay.seen[0]
        assert path == "/prometheusalert"
        assert query == {"type": ["fs"], "tpl": ["prometheus-fs"], "fsurl": [ROBOT]}
        assert body["receiver"] == "pay-feishu" and body["alerts"][0]["labels"]["alertname"] == "PayDown"
    finally:
        server.shutdown()
        server.server_close()


def test_alertmanagerconfig_keeps_the_relay_url_in_a_secret(tmp_path):
    root = _project(tmp_path / "p", '{mode: alertmanagerconfig, feishuRelay: "http://pa.ops.svc:8080"}')
    result = run_obs("compile", cwd=root, env={"FEISHU_URL": ROBOT})
    assert result.returncode == 0, result.stderr
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    objs = {}
    for path in (root / "out" / "kubernetes").glob("alertmanagerconfig-*.yaml"):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc["kind"] == "AlertmanagerConfig":
                assert not [e.message for e in validator.iter_errors(doc)], path
            objs[doc["metadata"]["name"]] = doc
    [receiver] = [r for r in objs["fs-payments"]["spec"]["receivers"] if r["name"] == "pay-feishu"]
    assert receiver["webhookConfigs"] == [{"sendResolved": True,
                                           "urlSecret": {"name": "fs-payments-env", "key": "pay-feishu-url"}}]
    assert objs["fs-payments-env"]["stringData"]["pay-feishu-url"] == \
        "http://pa.ops.svc:8080/prometheusalert?type=fs&tpl=prometheus-fs&fsurl=${FEISHU_URL}"
    for path in (root / "out").rglob("*"):
        if path.is_file():
            assert ROBOT not in path.read_text()
