"""Backtest and `obs test` agree: the synthetic series of obs test's burst scenario (obs.slotest),
loaded into a real Prometheus, give backtest firings; promtool, evaluating the compiled rules on the
same series, then confirms at every evaluation step that the alerts fire exactly when backtest says."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml

from helpers import run_obs
from tests.backtest.history import T0, blocks, project
from tests.live.servers import Prometheus

pytestmark = pytest.mark.live


def values(notation: str) -> list[float]:
    """promtool's expanding notation (`0+10x59 600+0x9`) as the list of values it stands for."""
    out: list[float] = []
    for part in notation.split():
        start, rest = part.split("+", 1)
        inc, count = rest.split("x")
        out += [float(start) + float(inc) * k for k in range(int(count) + 1)]
    return out


def test_burst_scenario_fires_the_same_in_backtest_and_promtool(tmp_path):
    if shutil.which("promtool") is None:
        pytest.skip("promtool is not installed")
    from obs.pipeline import build
    from obs.rulegen import slo as rulegen
    from obs.slotest.scenarios import Builder, series_for
    from obs.targets.prometheus import rule_file
    from obs.yamlout import dump

    root = project(tmp_path / "p", "http://127.0.0.1:1", ["burst"])
    catalog = build(root).catalog
    entry = catalog.slos[0]
    plan, group = rulegen.plan_for(catalog, entry), rulegen.slo_group(catalog, entry)
    scenario = Builder(entry, plan, group).burst()
    series = series_for(scenario, plan.interval)
    lines = []
    for selector, notation in series:
        lines += [f"{selector.replace(', ', ',')} {v:.6f} {T0 + k * plan.interval:.0f}"
                  for k, v in enumerate(values(notation))]
    server = Prometheus()
    try:
        server.start(data=blocks(tmp_path, lines))
        root = project(tmp_path / "p", server.url, ["burst"])
        last = scenario.steps * plan.interval - plan.interval
        result = run_obs("backtest", "--env", "test", "--since", str(T0), "--until", str(T0 + last),
                         "--now", str(T0 + last), "--format", "json", cwd=root)
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    firings = json.loads(result.stdout)["firings"]
    assert any(f["labels"]["severity"] == "critical" for f in firings), "the burst pages in backtest"

    def firing_at(severity: str, t: float) -> int:
        from datetime import datetime
        for f in firings:
            start = datetime.fromisoformat(f["start"].replace("Z", "+00:00")).timestamp() - T0
            end = datetime.fromisoformat(f["end"].replace("Z", "+00:00")).timestamp() - T0
            if f["labels"]["severity"] == severity and start <= t and (t < end or (f["ongoing"] and t <= end)):
                return 1
        return 0

    checks = []
    for k in range(scenario.steps):
        t = k * plan.interval
        for severity in ("critical", "warning"):
            checks.append({"expr": f'count(ALERTS{{alertname="{entry.alert_name}", severity="{severity}", '
                                   f'alertstate="firing"}}) or vector(0)',
                           "eval_time": f"{int(t)}s", "exp_samples": [{"labels": "{}",
                                                                       "value": firing_at(severity, t)}]})
    (tmp_path / "rules.yaml").write_text(dump(rule_file([group])))
    test = {"rule_files": ["rules.yaml"], "evaluation_interval": f"{int(plan.interval)}s",
            "tests": [{"interval": f"{int(plan.interval)}s",
                       "input_series": [{"series": s, "values": v} for s, v in series],
                       "promql_expr_test": checks}]}
    (tmp_path / "agree.test.yaml").write_text(yaml.safe_dump(test))
    done = subprocess.run(["promtool", "test", "rules", "agree.test.yaml"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
