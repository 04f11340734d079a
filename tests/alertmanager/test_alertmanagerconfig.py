"""Mode alertmanagerconfig: one AlertmanagerConfig per team that prometheus-operator v0.82.2's CRD
accepts, holding that team's routes to its channels, secrets only as SecretKeySelectors, and no
alertmanager-main Secret."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from tests.alertmanager.test_routing import CHANNELS, SERVICES
from tests.helpers import run_obs

SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "alertmanagerconfig.json"
PROJECT = """\
apiVersion: obs/v1
kind: Project
metadata: {name: rich}
spec:
  sources: ["*.yaml"]
  targets: [prometheus, alertmanager]
  defaults:
    alertmanager: {mode: alertmanagerconfig, dingtalkRelay: "http://dt.ops.svc:8060"}
"""


def test_one_valid_object_per_team_with_its_routes(tmp_path, amtool):
    (tmp_path / "obs.yaml").write_text(PROJECT)
    (tmp_path / "channels.yaml").write_text(CHANNELS)
    (tmp_path / "services.yaml").write_text(SERVICES)
    result = run_obs("compile", cwd=tmp_path, env={"SLACK_PAY_URL": "https://hooks.slack.com/services/T/B/zz-secret"})
    assert result.returncode == 0, result.stderr
    kube = tmp_path / "out" / "kubernetes"
    files = sorted(p.name for p in kube.glob("alertmanagerconfig-*.yaml"))
    assert files == ["alertmanagerconfig-data.yaml", "alertmanagerconfig-other-teams.yaml",
                     "alertmanagerconfig-payments.yaml"]
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    objs = {}
    for name in files:
        for doc in yaml.safe_load_all((kube / name).read_text()):
            assert doc["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "obs"
            if doc["kind"] == "AlertmanagerConfig":
                assert not [e.message for e in validator.iter_errors(doc)], name
            objs[doc["metadata"]["name"]] = doc
    pay = objs["rich-payments"]["spec"]
    assert pay["route"]["matchers"] == [{"name": "team", "value": "payments", "matchType": "="}]
    critical = next(r for r in pay["route"]["routes"] if r.get("matchers", [{}])[0].get("value") == "critical")
    assert {r["receiver"] for r in critical["routes"]} >= {"pay-pager", "pay-slack"}
    receivers = {r["name"]: r for r in pay["receivers"]}
    assert receivers["pay-pager"]["pagerdutyConfigs"][0]["routingKey"] == {"name": "pagerduty", "key": "payments"}
    assert receivers["pay-slack"]["slackConfigs"][0]["apiURL"] == {"name": "rich-payments-env", "key": "SLACK_PAY_URL"}
    assert objs["rich-payments-env"]["stringData"]["SLACK_PAY_URL"] == "${SLACK_PAY_URL}"
    others = objs["rich-other-teams"]["spec"]["route"]["matchers"]
    assert others == [{"name": "team", "value": "data|payments", "matchType": "!~"}]
    assert "alertmanager-main" not in objs
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            assert "zz-secret" not in path.read_text(errors="replace")
