"""The generated behaviour tests pass on promtool for ratio, latency and grouped SLOs at 7d,
28d, 30d and 90d: 100% errors page in time, 0.9× budget never alerts, each pair fires at 1.1×
its factor once its long window is full and not before, a burst resolves, zero traffic is
harmless. Timing claims of minutes are evaluated every interval; one-ratio runs and the ticket
pairs (whose long windows are read from tiles) every half tile."""

from __future__ import annotations

import pytest

from obs.rulegen import slo as rulegen
from obs.slotest import runner

WINDOWS = ("7d", "28d", "30d", "90d")

EXPECTED = {"outage", "below-budget", "burst", "zero-traffic"}


@pytest.mark.parametrize("window", WINDOWS)
def test_behaviour_on_promtool(window, slo_build, promtool, tmp_path):
    only = {(f"api-{window}", n) for n in ("availability", "latency", "routes")}
    cases, skipped = runner.generate(slo_build.catalog, tmp_path, only)
    assert not skipped, skipped
    by_slo: dict[str, set[str]] = {}
    for c in cases:
        by_slo.setdefault(c.entry.name, set()).add(c.scenario.name)
    for slo, names in by_slo.items():
        assert EXPECTED <= names, (slo, names)
        assert sum(n.startswith(("page-", "ticket-")) for n in names) == 4, (slo, names)
    for c in cases:
        plan = rulegen.plan_for(slo_build.catalog, c.entry)
        coarse = c.scenario.name in ("below-budget", "zero-traffic") or c.scenario.name.startswith("ticket-")
        assert c.scenario.step == (plan.tile / 2 if coarse else plan.interval), (c.title, c.scenario.step)
        assert c.scenario.step % plan.interval == 0 and plan.tile % c.scenario.step == 0
    results = runner.run(cases, tmp_path, promtool)
    text, failures = runner.report(results, skipped)
    assert failures == 0, text
    assert all(r.ok for r in results) and len(results) == len(cases)


def test_a_broken_rule_fails_the_behaviour_tests(slo_build, promtool, tmp_path):
    """The scenarios can fail: with the page threshold ten times too high, the outage must not pass."""
    only = {("api-30d", "availability")}
    cases, _ = runner.generate(slo_build.catalog, tmp_path, only)
    rules = tmp_path / cases[0].rules
    rules.write_text(rules.read_text().replace("> (14.4 * 0.001)", "> (144 * 0.001)")
                     .replace("> (6 * 0.001)", "> (60 * 0.001)"))
    outage = [c for c in cases if c.scenario.name in ("outage", "page-1h-5m")]
    results = runner.run(outage, tmp_path, promtool)
    text, failures = runner.report(results, [])
    assert failures == 2, text
    assert "FAIL api-30d/availability outage" in text and "expected page alert firing" in text
