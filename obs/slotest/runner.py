"""Generated SLO behaviour tests on promtool: one rule file per SLO (its compiled group, as
out/prometheus writes it), one promtool test file per scenario, run in parallel, each failed
check reported in words."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from obs import slo as policy
from obs.catalog import Catalog, SLOEntry
from obs.rulegen import slo as rulegen
from obs.slotest.scenarios import Builder, Check, Scenario, series_for
from obs.targets.prometheus import rule_file
from obs.yamlout import dump

TIMEOUT = 900


@dataclass
class Case:
    entry: SLOEntry
    scenario: Scenario
    interval: float
    rules: str  # file name of the SLO's rule file

    @property
    def title(self) -> str:
        return f"{self.entry.service}/{self.entry.name} {self.scenario.name}"

    @property
    def file(self) -> str:
        return f"{self.entry.service}--{self.entry.name}--{self.scenario.name}.test.yaml"


@dataclass
class Result:
    case: Case
    ok: bool
    failed: list[Check] = field(default_factory=list)
    output: str = ""


@dataclass
class Skipped:
    entry: SLOEntry
    reason: str


def generate(catalog: Catalog, workdir: Path, only: set[tuple[str, str]] | None = None
             ) -> tuple[list[Case], list[Skipped]]:
    """Write rule and test files for every SLO (or `only` these service/slo pairs) into workdir."""
    cases, skipped = [], []
    for entry in catalog.slos:
        if only is not None and (entry.service, entry.name) not in only:
            continue
        group = rulegen.slo_group(catalog, entry)
        if group is None:
            skipped.append(Skipped(entry, "the SLO does not compile (see `obs lint`)"))
            continue
        if entry.spec.sli.kind == "raw":
            skipped.append(Skipped(entry, "raw SLI: its PromQL is the team's own, obs cannot synthesise its series"))
            continue
        plan = rulegen.plan_for(catalog, entry)
        rules = f"{entry.service}--{entry.name}.rules.yaml"
        (workdir / rules).write_text(dump(rule_file([group])))
        try:
            mine = [Case(entry, s, plan.interval, rules) for s in Builder(entry, plan, group).all()]
            texts = [dump(test_file(case)) for case in mine]
        except ValueError as e:
            skipped.append(Skipped(entry, f"cannot synthesise series: {e}"))
            continue
        for case, text in zip(mine, texts):
            (workdir / case.file).write_text(text)
        cases += mine
    return cases, skipped


def test_file(case: Case) -> dict:
    i = case.interval
    return {
        "rule_files": [case.rules],
        "evaluation_interval": policy.fmt(i),
        "tests": [{
            "interval": policy.fmt(i),
            "input_series": [{"series": s, "values": v} for s, v in series_for(case.scenario, i)],
            "promql_expr_test": [{"expr": c.expr, "eval_time": policy.fmt(_at(c, i)),
                                  "exp_samples": [{"labels": "{}", "value": c.expect}]}
                                 for c in case.scenario.checks],
        }],
    }


def _at(check: Check, interval: float) -> float:
    return math.ceil(check.at / interval) * interval


def run(cases: list[Case], workdir: Path, promtool: str | None = None, jobs: int | None = None) -> list[Result]:
    tool = promtool or shutil.which("promtool")
    if tool is None:
        raise FileNotFoundError("promtool")
    workers = jobs or max(1, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda c: _run_one(c, workdir, tool), _longest_first(cases)))


def _longest_first(cases: list[Case]) -> list[Case]:
    return sorted(cases, key=lambda c: -c.scenario.steps)


def _run_one(case: Case, workdir: Path, tool: str) -> Result:
    try:
        proc = subprocess.run([tool, "test", "rules", case.file], cwd=workdir, capture_output=True, text=True,
                              timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return Result(case, False, list(case.scenario.checks), f"promtool took longer than {TIMEOUT}s")
    output = proc.stdout + proc.stderr
    if proc.returncode == 0:
        return Result(case, True, [], output)
    failed = [c for c in case.scenario.checks if json.dumps(c.expr) in output or c.expr in output]
    return Result(case, False, failed, output)


def report(results: list[Result], skipped: list[Skipped]) -> tuple[str, int]:
    """Readable lines per SLO and scenario, and the number of failures."""
    lines, failures = [], 0
    for r in sorted(results, key=lambda r: (r.case.entry.service, r.case.entry.name, r.case.scenario.name)):
        mark = "ok  " if r.ok else "FAIL"
        lines.append(f"{mark} {r.case.title}: {r.case.scenario.text}")
        if not r.ok:
            failures += 1
            for c in r.failed or []:
                lines.append(f"       at {policy.human(_at(c, r.case.interval))}: expected {c.text} — not so")
            if not r.failed:
                lines += ["       " + line for line in r.output.strip().splitlines()[-15:]]
    for s in skipped:
        lines.append(f"skip {s.entry.service}/{s.entry.name}: {s.reason}")
    return "\n".join(lines) + "\n", failures
