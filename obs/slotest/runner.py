"""Generated SLO behaviour tests on promtool: one rule file per SLO (its compiled group, as
out/prometheus writes it), one promtool test file per scenario; the files go to promtool in a
few batches of similar cost (one process per core), and each failed check is reported in words
under its scenario's name, found by the file name promtool prints before each file's result."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from obs import slo as policy
from obs.catalog import Catalog, SLOEntry
from obs.durations import seconds
from obs.rulegen import slo as rulegen
from obs.slotest.scenarios import Builder, Check, Scenario, series_for
from obs.targets.prometheus import rule_file
from obs.yamlout import dump

#: a batch of promtool runs longer than this is stuck, not slow
TIMEOUT = 900
#: batches per worker: a batch that finishes early leaves its core another to take
BATCHES_PER_WORKER = 2
#: a batch holds at most this cost (evaluations × rules: ~1 min of promtool CPU on 2 shared cores),
#: so a large repository's batch stays far inside TIMEOUT
MAX_BATCH_COST = 500_000
_HEADER = re.compile(r"^Unit Testing:  (.+?)\s*$")
_FAILED_EXPR = re.compile(r'^\s*expr: (".*?"), time: ([0-9a-z]+)')


@dataclass
class Case:
    entry: SLOEntry
    scenario: Scenario
    interval: float  # of the input samples; the rules are evaluated every scenario.step
    rules: str  # file name of the SLO's rule file
    size: int = 1  # rules in the SLO's group

    @property
    def title(self) -> str:
        return f"{self.entry.service}/{self.entry.name} {self.scenario.name}"

    @property
    def cost(self) -> int:
        return self.scenario.evaluations * self.size

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
            mine = [Case(entry, s, plan.interval, rules, len(group.rules)) for s in Builder(entry, plan, group).all()]
            texts = [dump(test_file(case)) for case in mine]
        except ValueError as e:
            skipped.append(Skipped(entry, f"cannot synthesise series: {e}"))
            continue
        for case, text in zip(mine, texts, strict=True):
            (workdir / case.file).write_text(text)
        cases += mine
    return cases, skipped


def test_file(case: Case) -> dict:
    i, e = case.interval, case.scenario.step
    return {
        "rule_files": [case.rules],
        "evaluation_interval": policy.fmt(e),
        "tests": [{
            "interval": policy.fmt(i),
            "input_series": [{"series": s, "values": v} for s, v in series_for(case.scenario, i)],
            "promql_expr_test": [{"expr": c.expr, "eval_time": policy.fmt(_at(c, e)),
                                  "exp_samples": [{"labels": "{}", "value": c.expect}]}
                                 for c in case.scenario.checks],
        }],
    }


def _at(check: Check, step: float) -> float:
    """A check's time on the scenario's evaluations (promtool reads rule output there)."""
    return math.ceil(check.at / step) * step


def run(cases: list[Case], workdir: Path, promtool: str | None = None, jobs: int | None = None) -> list[Result]:
    tool = promtool or shutil.which("promtool")
    if tool is None:
        raise FileNotFoundError("promtool")
    workers = jobs or max(1, os.cpu_count() or 1)
    batches = batches_for(cases, workers)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = {r.case.file: r for rs in pool.map(lambda b: _run_batch(b, workdir, tool), batches) for r in rs}
    return [done[c.file] for c in cases]


def batches_for(cases: list[Case], workers: int) -> list[list[Case]]:
    """BATCHES_PER_WORKER batches per worker, more where a batch would exceed MAX_BATCH_COST."""
    total = sum(c.cost for c in cases)
    return batch(cases, max(workers * BATCHES_PER_WORKER, math.ceil(total / MAX_BATCH_COST)))


def batch(cases: list[Case], count: int) -> list[list[Case]]:
    """At most `count` batches of similar cost (longest first into the cheapest batch), the
    costliest batch first so the pool's last batches are its cheap ones."""
    bins: list[tuple[int, list[Case]]] = [(0, []) for _ in range(max(1, min(count, len(cases))))]
    for case in sorted(cases, key=lambda c: (-c.cost, c.file)):
        k = min(range(len(bins)), key=lambda j: bins[j][0])
        bins[k] = (bins[k][0] + case.cost, bins[k][1] + [case])
    return [b for _, b in sorted(bins, key=lambda b: -b[0]) if b]


def _run_batch(cases: list[Case], workdir: Path, tool: str) -> list[Result]:
    """One promtool process over many test files. Its results go to stdout and its failures to
    stderr, so both share one pipe to keep each failure under the file name printed before it."""
    try:
        proc = subprocess.run([tool, "test", "rules", *[c.file for c in cases]], cwd=workdir, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT)
        output, late = proc.stdout, ""
    except subprocess.TimeoutExpired as e:
        partial = e.stdout or b""
        output = partial.decode(errors="replace") if isinstance(partial, bytes) else partial
        late = f"promtool took longer than {TIMEOUT}s"
    sections = sections_of(output)
    results = []
    for case in cases:
        text = sections.get(case.file)
        if text is not None and _finished(text):
            results.append(_result(case, text))
        elif late:  # not reached, or cut off while running
            results.append(Result(case, False, [], late))
        else:  # promtool stopped before this file: say what it said
            results.append(Result(case, False, [], output.strip() or "promtool printed nothing for this file"))
    return results


def sections_of(output: str) -> dict[str, str]:
    """promtool's output split by the `Unit Testing:  <file>` line that opens each file's result."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in output.splitlines():
        if m := _HEADER.match(line):
            current = sections.setdefault(m.group(1), [])
        elif current is not None:
            current.append(line)
    return {name: "\n".join(lines) for name, lines in sections.items()}


def _finished(text: str) -> bool:
    return any(line.strip() in ("SUCCESS", "FAILED:") for line in text.splitlines())


def _result(case: Case, text: str) -> Result:
    """A file's section: SUCCESS, or FAILED: with `expr: "...", time: ...` per failed check
    (the same expression may be checked at several times)."""
    lines = [line.strip() for line in text.splitlines()]
    if "SUCCESS" in lines and "FAILED:" not in lines:
        return Result(case, True, [], text)
    failed: list[Check] = []
    for m in filter(None, map(_FAILED_EXPR.match, lines)):
        try:
            at: float | None = seconds(m.group(2))
        except ValueError:
            at = None
        failed += [c for c in case.scenario.checks if c not in failed and json.dumps(c.expr) == m.group(1)
                   and at in (None, _at(c, case.scenario.step))]
    return Result(case, False, failed, text)


def report(results: list[Result], skipped: list[Skipped]) -> tuple[str, int]:
    """Readable lines per SLO and scenario, and the number of failures."""
    lines, failures = [], 0
    for r in sorted(results, key=lambda r: (r.case.entry.service, r.case.entry.name, r.case.scenario.name)):
        if r.ok:
            lines.append(f"ok   {r.case.title}: {r.case.scenario.text}")
            continue
        failures += 1
        lines.append(f"FAIL {r.case.title} ({r.case.entry.origin}): {r.case.scenario.text}")
        for c in r.failed:
            lines.append(f"       at {policy.human(_at(c, r.case.scenario.step))}: expected {c.text} — not so")
        if not r.failed:
            lines += ["       " + line for line in r.output.strip().splitlines()[-15:]]
    for s in skipped:
        lines.append(f"skip {s.entry.service}/{s.entry.name}: {s.reason}")
    return "\n".join(lines) + "\n", failures
