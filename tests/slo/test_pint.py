"""pint (the rule linter teams run in CI) reads obs's SLO rules as correct: 500 SLOs with their
alerts lint in under a minute with no problem of severity warning or above. pint knows a
series by its name and a group by its name, so obs writes every service's SLOs into a group of
one name (`slo-<interval>`), recordings and the alerts that read them together (docs/slo.md)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.helpers import REPO, run_obs, shared_tool
from tests.slo.conftest import SERVICE, WINDOWS, write_project

#: pint prints `level=... msg="Problems found" Warning=N` (and Bug=, Fatal=) when it found any
PROBLEMS = re.compile(r"(Information|Warning|Bug|Fatal)=\D*(\d+)")


def _pint(out: Path) -> tuple[subprocess.CompletedProcess, float]:
    pint = shared_tool("pint", "PINT")
    start = time.monotonic()
    proc = subprocess.run([str(pint), "--offline", "--no-color", "lint", str(out)], capture_output=True,
                          text=True, timeout=300, cwd=out.parent.parent)
    return proc, time.monotonic() - start


def _problems(proc: subprocess.CompletedProcess) -> dict[str, int]:
    found = {}
    for line in (proc.stdout + proc.stderr).splitlines():
        if "Problems found" in line:
            found.update({k: int(v) for k, v in PROBLEMS.findall(line)})
    return found


def _generate(root: Path, services: int, pairs: int) -> None:
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(root, services, pairs, "prometheus")


def test_pint_reads_500_slos_as_correct(tmp_path):
    _generate(tmp_path, services=50, pairs=5)  # 50 × 5 × (ratio + latency) = 500 SLOs, 50 alerts
    proc = run_obs("compile", cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (tmp_path / "out" / "prometheus" / "svc-7.rules.yaml").read_text()
    assert text.count("- alert: ErrorBudgetBurn") == 20 and "- name: slo-1m" in text
    proc, took = _pint(tmp_path / "out" / "prometheus")
    problems = _problems(proc)
    assert proc.returncode == 0 and not {k: v for k, v in problems.items() if k != "Information"}, \
        (problems, (proc.stdout + proc.stderr)[-3000:])
    assert took < 60, f"pint took {took:.0f}s on 500 SLOs"


def test_pint_on_every_window_grouped_and_absent(tmp_path):
    """7d, 28d, 30d and 90d SLOs (two intervals, so two SLO groups), groupBy and the absent alert."""
    write_project(tmp_path, {w: SERVICE % {"name": w, "window": w} for w in WINDOWS})
    assert run_obs("compile", cwd=tmp_path).returncode == 0
    assert "- name: slo-3m" in (tmp_path / "out" / "prometheus" / "api-90d.rules.yaml").read_text()
    proc, _ = _pint(tmp_path / "out" / "prometheus")
    assert proc.returncode == 0 and not _problems(proc), (proc.stdout + proc.stderr)[-3000:]


def test_pint_still_reports_a_real_cross_group_dependency(tmp_path):
    """The layout does not blind pint: a team's recording rule in its own group that reads an SLO
    recording is evaluated apart from it, and pint says so."""
    write_project(tmp_path, {"30d": SERVICE % {"name": "30d", "window": "30d"}, "team": """apiVersion: obs/v1
kind: RuleGroup
metadata: {name: team-rollups, service: api-30d}
spec:
  rules:
    - record: team:slo_error:max_ratio_rate1h
      expr: max(slo:sli_error:ratio_rate1h)
"""})
    proc = run_obs("compile", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc, _ = _pint(tmp_path / "out" / "prometheus")
    assert _problems(proc).get("Warning", 0) >= 1 and "rule/dependency" in proc.stdout + proc.stderr


def test_a_rule_group_named_like_the_slo_group_is_an_error(tmp_path):
    write_project(tmp_path, {"30d": SERVICE % {"name": "30d", "window": "30d"}, "team": """apiVersion: obs/v1
kind: RuleGroup
metadata: {name: slo-1m, service: api-30d}
spec:
  rules:
    - record: team:up:sum
      expr: sum(up)
"""})
    proc = run_obs("lint", cwd=tmp_path)
    assert proc.returncode == 1
    assert re.search(r"services/team\.yaml:\d+:\d+: error\[SL021\]: rule group 'slo-1m' of service api-30d",
                     proc.stdout + proc.stderr), proc.stdout + proc.stderr
