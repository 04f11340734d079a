"""The behaviour tests can fail, and say where: a deliberately broken rule file fails exactly
the scenarios whose claim it breaks — those evaluated every interval and those evaluated every
half tile alike — while the other SLOs' scenarios, run by the same promtool processes, pass;
each failure names its scenario, the SLO's file:line and the check that did not hold."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
import yaml

from obs.slotest import runner
from obs.yamlout import dump

SLO = ("api-30d", "availability")
OTHER = ("api-30d", "latency")
WHERE = "services/30d.yaml:6:7"

#: mutation of the availability SLO's rule file → scenarios that must fail
MUTATIONS = {
    # page thresholds ten times too high: 100% errors no longer page in time
    "page-too-high": ([("> (14.4 * 0.001)", "> (144 * 0.001)"), ("> (6 * 0.001)", "> (60 * 0.001)")],
                      {"outage", "page-1h-5m", "page-6h-30m"}),
    # the 1d/2h ticket pair at 2.2 instead of 3 fires at 73% of its time (+ at most a tile)
    "ticket-1d-early": ([("> (3 * 0.001)", "> (2.2 * 0.001)")], {"ticket-1d-2h"}),
    # the 3d/6h pair at 0.8: 0.9x the budget rate now alerts, and both ticket pairs fire early
    "ticket-3d-below-budget": ([("> (1 * 0.001)", "> (0.8 * 0.001)")],
                               {"below-budget", "ticket-1d-2h", "ticket-3d-6h"}),
    # tiles never recorded: the 1d and 3d windows stay empty, the period holds the open tile only
    "no-tiles": ([("% 3600 < 60", "% 3600 < 0")], {"ticket-1d-2h", "ticket-3d-6h", "zero-traffic"}),
    # the open tile never recorded: the period, and with it the budget, is absent
    "no-open-tile": ([("slo:sli_error_events:open1h{", "slo:sli_error_events:open1h_lost{")], {"zero-traffic"}),
    # no clamp on the denominators: zero traffic reads 0/0 = NaN
    "no-clamp": ([(", 1e-9)", ", 0)")], {"zero-traffic"}),
}


def _break(path, edits):
    """The edits applied to every expression as read (a long one is folded over lines in the file)."""
    found = set()

    def edit(value):
        if isinstance(value, dict):
            return {k: edit(v) for k, v in value.items()}
        if isinstance(value, list):
            return [edit(v) for v in value]
        if isinstance(value, str):
            for old, new in edits:
                if old in value:
                    found.add(old)
                    value = value.replace(old, new)
        return value
    doc = edit(yaml.safe_load(path.read_text()))
    assert found == {old for old, _ in edits}, found
    path.write_text(dump(doc))


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_a_broken_rule_fails_exactly_the_scenarios_it_breaks(mutation, slo_build, promtool, tmp_path):
    edits, expected = MUTATIONS[mutation]
    cases, _ = runner.generate(slo_build.catalog, tmp_path, {SLO, OTHER})
    _break(tmp_path / next(c.rules for c in cases if (c.entry.service, c.entry.name) == SLO), edits)
    results = runner.run(cases, tmp_path, promtool, jobs=1)  # 2 batches: both SLOs share processes
    assert {len({c.entry.name for c in b}) for b in runner.batches_for(cases, 1)} == {2}
    text, failures = runner.report(results, [])
    failed = {(r.case.entry.service, r.case.entry.name, r.case.scenario.name) for r in results if not r.ok}
    assert failed == {(*SLO, name) for name in expected}, text
    assert failures == len(expected)
    for name in expected:
        assert f"FAIL api-30d/availability {name} ({WHERE}): " in text, text
    assert all(r.failed for r in results if not r.ok), text  # each failure names the checks that failed
    assert "FAIL api-30d/latency" not in text and text.count("ok   api-30d/latency ") == len(
        [c for c in cases if c.entry.name == "latency"])


def test_the_failed_check_is_named_among_checks_of_the_same_expression(slo_build, promtool, tmp_path):
    """zero-traffic checks 'budget remaining present' at four times with one expression: a
    failure at one time is reported at that time only, under its scenario, amid passing files."""
    cases, _ = runner.generate(slo_build.catalog, tmp_path, {SLO, OTHER})
    (case,) = [c for c in cases if (c.entry.service, c.entry.name, c.scenario.name) == (*SLO, "zero-traffic")]
    present = [c for c in case.scenario.checks if c.text.startswith("budget remaining present")]
    assert len(present) == 4 and len({c.expr for c in present}) == 1
    path = tmp_path / case.file
    data = yaml.safe_load(path.read_text())
    at = runner.policy.fmt(runner._at(present[2], case.scenario.step))
    (test,) = [t for t in data["tests"][0]["promql_expr_test"] if t["expr"] == present[2].expr and t["eval_time"] == at]
    test["exp_samples"][0]["value"] = 0  # the scenario now claims the budget is absent then
    path.write_text(yaml.safe_dump(data))
    results = runner.run(cases, tmp_path, promtool, jobs=1)
    text, failures = runner.report(results, [])
    assert failures == 1, text
    (bad,) = [r for r in results if not r.ok]
    assert bad.case is case and bad.failed == [present[2]]
    line = f"at {runner.policy.human(runner._at(present[2], case.scenario.step))}: expected {present[2].text} — not so"
    assert re.search(rf"FAIL api-30d/availability zero-traffic \({WHERE}\): .*\n +{re.escape(line)}\n", text), text


def test_sections_keep_each_failure_under_its_file():
    output = ("Unit Testing:  a.test.yaml\n  SUCCESS\n\nUnit Testing:  b.test.yaml\n  FAILED:\n"
              '    expr: "up", time: 1w,\n        exp: {} 1E+00\n        got: {} 0E+00\n\n'
              "Unit Testing:  c.test.yaml\n")
    sections = runner.sections_of(output)
    assert list(sections) == ["a.test.yaml", "b.test.yaml", "c.test.yaml"]
    assert sections["a.test.yaml"].split() == ["SUCCESS"]
    assert 'expr: "up", time: 1w' in sections["b.test.yaml"] and "SUCCESS" not in sections["b.test.yaml"]
    assert sections["c.test.yaml"] == ""


@dataclass
class _Cost:
    file: str
    cost: int


def test_batches_balance_cost_and_stay_small_enough():
    cases = [_Cost(f"{i}.test.yaml", cost) for i, cost in enumerate([900, 500, 400, 300, 300, 200, 100, 100])]
    two = runner.batch(cases, 2)
    assert sorted(sum(c.cost for c in b) for b in two) == [1400, 1400]
    assert sorted(c.file for b in two for c in b) == sorted(c.file for c in cases)  # each case once
    assert len(runner.batch(cases[:1], 4)) == 1
    many = [_Cost(f"{i}.test.yaml", runner.MAX_BATCH_COST // 10) for i in range(95)]
    batches = runner.batches_for(many, 2)
    assert len(batches) == 10 and max(sum(c.cost for c in b) for b in batches) <= runner.MAX_BATCH_COST
    assert len(runner.batches_for(many[:8], 2)) == 4  # 2 per worker
