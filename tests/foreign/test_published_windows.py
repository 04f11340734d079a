"""Sloth's AlertWindows read as a burn-rate policy for SLOs of its sloPeriod (issue 15): the
windows used as written, each factor errorBudgetPercent/100 × period / long window (Sloth's)."""

from __future__ import annotations

import yaml

from foreign_helpers import errors, lint_exit

from obs.rulegen.slo import plan_for

WINDOWS = """
apiVersion: sloth.slok.dev/v1
kind: AlertWindows
spec:
  sloPeriod: {period}
  page:
    quick: {{errorBudgetPercent: 4, shortWindow: 5m, longWindow: 1h}}
    slow: {{errorBudgetPercent: 10, shortWindow: 30m, longWindow: 6h}}
  ticket:
    quick: {{errorBudgetPercent: 20, shortWindow: 2h, longWindow: 1d}}
    slow: {{errorBudgetPercent: 40, shortWindow: 6h, longWindow: 3d}}
"""

SLO_7D = """
apiVersion: obs/v1
kind: Service
metadata: {name: api, team: core}
spec:
  slos:
    - name: weekly
      objective: 99
      window: 7d
      sli: {ratio: {errors: 'req_total{code="500"}', total: req_total}}
    - name: monthly
      objective: 99
      window: 30d
      sli: {ratio: {errors: 'req_total{code="500"}', total: req_total}}
"""


def test_alert_windows_set_the_pairs_of_slos_of_that_period(project):
    result = project({"windows.yaml": WINDOWS.format(period="7d"), "svc.yaml": SLO_7D}, checks=True)
    assert lint_exit(result) == 0, errors(result)
    slos = {s.name: s for s in result.catalog.slos}
    weekly = plan_for(result.catalog, slos["weekly"])
    assert [(p.tier, p.long, p.short, round(p.factor, 6)) for p in weekly.pairs] == [
        ("page", 3600, 300, round(0.04 * 7 * 24, 6)), ("page", 21600, 1800, round(0.10 * 7 * 4, 6)),
        ("ticket", 86400, 7200, round(0.20 * 7, 6)), ("ticket", 259200, 21600, round(0.40 * 7 / 3, 6))]
    monthly = plan_for(result.catalog, slos["monthly"])  # another period keeps obs's default policy
    assert [round(p.factor, 3) for p in monthly.pairs] == [14.4, 6.0, 3.0, 1.0]
    rules = next(a for a in result.artifacts if a.path == "prometheus/api.rules.yaml").content.decode()
    weekly_alert = next(r["expr"] for g in yaml.safe_load(rules)["groups"] for r in g["rules"]
                        if r.get("alert") == "ErrorBudgetBurn" and 'slo="weekly"' in r["expr"])
    assert "6.72 * 0.01" in weekly_alert or "0.0672" in weekly_alert


def test_two_policies_for_one_period_are_refused(project):
    result = project({"a.yaml": WINDOWS.format(period="7d"), "b.yaml": WINDOWS.format(period="7d"),
                      "svc.yaml": SLO_7D})
    assert [e.split(": ", 2)[1] for e in errors(result)] == ["error[SC016]"]


def test_a_broken_windows_file_says_what_is_missing(project):
    last = "    slow: {errorBudgetPercent: 40, shortWindow: 6h, longWindow: 3d}\n"
    broken = WINDOWS.format(period="30d").replace(last, "")
    assert errors(project({"w.yaml": broken})) == [
        "w.yaml:9:5: error[IM001]: AlertWindows ticket.slow needs errorBudgetPercent, shortWindow and longWindow"]
