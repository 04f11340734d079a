"""A log alert does not notify every minute while its condition holds: its quiet time (`realert:`, else
defaults.logs.realert by severity) is the same on ElastAlert rules (read by ElastAlert's own loader),
watches (`throttle_period`) and OpenSearch monitors (action `throttle`)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import yaml
from helpers import run_obs
from servers import elastalert_load

from obs import durations

PROJECT = """\
apiVersion: obs/v1
kind: Project
metadata: {{name: quiet}}
spec:
  sources: ["*.yaml"]
  targets: [elastalert, watcher, opensearch-monitor]
  defaults:
    logs:
      targets: [elastalert, watcher, opensearch-monitor]
{extra}"""
CHANNEL = """\
apiVersion: obs/v1
kind: Channel
metadata: {name: hook}
spec: {type: webhook, url: {env: HOOK_URL}}
"""


def _service(alerts: dict[str, dict]) -> str:
    items = [{"name": name, "query": 'log:"boom"', "when": "count > 5 in 5m", "summary": name, "notify": ["hook"],
              **fields} for name, fields in alerts.items()]
    return json.dumps({"apiVersion": "obs/v1", "kind": "Service", "metadata": {"name": "pay", "team": "pay"},
                       "spec": {"logAlerts": items}})


def compile_project(root: Path, alerts: dict[str, dict], extra: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "obs.yaml").write_text(PROJECT.format(extra=textwrap.indent(extra, "      ")))
    (root / "channel.yaml").write_text(CHANNEL)
    (root / "service.yaml").write_text(_service(alerts))
    proc = run_obs("compile", cwd=root)
    assert proc.returncode == 0, proc.stderr
    return root / "out"


def quiet_times(out: Path, names: list[str]) -> dict[str, tuple]:
    """name → (ElastAlert's realert as its loader reads it, watch throttle, monitor throttle), in seconds."""
    loaded = elastalert_load([out / "elastalert" / f"{n}.yaml" for n in names], env={"HOOK_URL": "http://h"})
    result = {}
    for n in names:
        assert "error" not in loaded[f"{n}.yaml"], loaded[f"{n}.yaml"]
        watch = json.loads((out / "watcher" / f"quiet-{n}.json").read_text())
        monitor = json.loads((out / "opensearch" / f"quiet-{n}.json").read_text())
        [action] = monitor["triggers"][0]["query_level_trigger"]["actions"]
        throttle = action["throttle"]["value"] * {"MINUTES": 60}[action["throttle"]["unit"]] \
            if action["throttle_enabled"] else None
        period = watch.get("throttle_period")
        result[n] = (loaded[f"{n}.yaml"]["rule"]["realert"], durations.seconds(period) if period else None, throttle)
    return result


def test_defaults_by_severity_are_the_same_on_every_target(tmp_path):
    alerts = {"crit": {"severity": "critical"}, "warn": {"severity": "warning"}, "note": {"severity": "info"}}
    out = compile_project(tmp_path, alerts)
    assert quiet_times(out, list(alerts)) == {"crit": (900, 900, 900), "warn": (3600, 3600, 3600),
                                              "note": (14400, 14400, 14400)}


def test_defaults_logs_realert_overrides_one_severity_and_an_alerts_own_realert_wins(tmp_path):
    alerts = {"crit": {"severity": "critical"}, "warn": {"severity": "warning"},
              "own": {"severity": "critical", "realert": "2h"}}
    out = compile_project(tmp_path, alerts, "realert: {critical: 5m}\n")
    assert quiet_times(out, list(alerts)) == {"crit": (300, 300, 300), "warn": (3600, 3600, 3600),
                                              "own": (7200, 7200, 7200)}


def test_realert_zero_notifies_on_every_match_everywhere(tmp_path):
    out = compile_project(tmp_path, {"every": {"severity": "critical", "realert": "0s"}})
    assert quiet_times(out, ["every"]) == {"every": (0, 0, None)}


def test_alertmanager_mode_resends_every_run_and_leaves_repeats_to_alertmanager(tmp_path):
    """Alertmanager resolves an alert that is not re-sent (resolve_timeout) and repeats by its own intervals,
    so a realert would turn one long incident into a resolved/firing pair every realert."""
    alerts = {"crit": {"severity": "critical"}, "own": {"severity": "warning", "realert": "30m"}}
    out = compile_project(tmp_path, alerts, 'alertmanager: ["http://am.example:9093"]\n')
    rule = yaml.safe_load((out / "elastalert" / "crit.yaml").read_text())
    assert "realert" not in rule
    assert quiet_times(out, ["crit", "own"]) == {"crit": (60, None, None), "own": (1800, 1800, 1800)}


LEGACY = """\
name: java-oom
type: any
index: logs-*
filter: [{query_string: {query: 'log:"OutOfMemoryError"'}}]
alert: [post]
http_post_url: "http://relay.example/elastalert"
"""


def _lint_legacy(root: Path, text: str, extra: str = "") -> list[str]:
    root.mkdir(parents=True, exist_ok=True)
    (root / "obs.yaml").write_text(PROJECT.format(extra=textwrap.indent(extra, "      ")))
    (root / "legacy.yaml").write_text(text)
    proc = run_obs("lint", cwd=root)
    return [line for line in proc.stderr.splitlines() if "[LG021]" in line or line.startswith("  hint")]


def test_a_kept_elastalert_rule_without_realert_is_a_warning_at_its_alert_key(tmp_path):
    assert _lint_legacy(tmp_path / "a", LEGACY) == [
        "legacy.yaml:5:1: warning[LG021]: ElastAlert rule 'java-oom' has no realert: ElastAlert notifies again every "
        "minute while its condition holds",
        "  hint: add realert: {hours: 1} (obs's default for warning log alerts, defaults.logs.realert)"]
    assert _lint_legacy(tmp_path / "b", LEGACY + "realert: {minutes: 0}\n") == []
    assert _lint_legacy(tmp_path / "c", LEGACY.replace("alert: [post]", "alert: [post]  # obs: disable=LG021")) == []
    assert _lint_legacy(tmp_path / "d", LEGACY, 'alertmanager: ["http://am.example:9093"]\n') == []
