"""One SLO written as obs/v1, as a Sloth spec and as OpenSLO compiles to the same rules, and
those rules pass obs's generated behaviour tests on promtool (the SLO compiler's own tests)."""

from __future__ import annotations

import re
from pathlib import Path

from foreign_helpers import errors, write_project
from helpers import run_obs

from obs.pipeline import build

OBS = """
apiVersion: obs/v1
kind: Service
metadata: {name: gateway, team: payments}
spec:
  slos:
    - name: availability
      objective: 99.9
      window: 30d
      sli:
        ratio:
          errors: gateway_requests_total{code=~"5.."}
          total: gateway_requests_total
"""
SLOTH = """
version: prometheus/v1
service: gateway
labels: {team: payments}
slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(gateway_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(gateway_requests_total[{{.window}}]))
    alerting:
      name: ErrorBudgetBurn
"""
OPENSLO = """
apiVersion: openslo/v1
kind: Service
metadata: {name: gateway, labels: {team: payments}}
spec: {}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: availability}
spec:
  service: gateway
  budgetingMethod: Occurrences
  timeWindow: [{duration: 30d, isRolling: true}]
  indicatorRef: gateway-errors
  objectives: [{target: 0.999}]
---
apiVersion: openslo/v1
kind: SLI
metadata: {name: gateway-errors}
spec:
  ratioMetric:
    counter: true
    bad: {metricSource: {type: Prometheus, spec: {query: 'gateway_requests_total{code=~"5.."}'}}}
    total: {metricSource: {type: Prometheus, spec: {query: gateway_requests_total}}}
"""
FORMS = {"obs": OBS, "sloth": SLOTH, "openslo": OPENSLO}


def compiled(tmp_path: Path, form: str):
    root = write_project(tmp_path / form, {"slo.yaml": FORMS[form]})
    result = build(root, run_checks=False)
    assert errors(result) == []
    (rules,) = [a.content.decode() for a in result.artifacts if a.path == "prometheus/gateway.rules.yaml"]
    return root, result, re.sub(r"(?m)^\s*# source: .*\n", "", rules)


def test_three_forms_compile_to_the_same_rules(tmp_path):
    texts = {form: compiled(tmp_path, form)[2] for form in FORMS}
    assert "slo:sli_error:ratio_rate30d" in texts["obs"]
    assert texts["sloth"] == texts["obs"]
    assert texts["openslo"] == texts["obs"]


def test_the_same_behaviour_tests_are_generated_for_each_form(tmp_path):
    from obs.slotest import runner
    generated = {}
    for form in FORMS:
        work = tmp_path / f"{form}-work"
        work.mkdir()
        cases, skipped = runner.generate(compiled(tmp_path, form)[1].catalog, work)
        assert cases and not skipped
        generated[form] = {p.name: re.sub(r"(?m)^\s*# source: .*\n", "", p.read_text()) for p in work.iterdir()}
    assert generated["sloth"] == generated["obs"]
    assert generated["openslo"] == generated["obs"]


def test_behaviour_tests_pass_on_the_sloth_form(tmp_path, promtool):
    """Files identical for the three forms (above), so one promtool run speaks for all."""
    from obs.slotest import runner
    work = tmp_path / "work"
    work.mkdir()
    cases, skipped = runner.generate(compiled(tmp_path, "sloth")[1].catalog, work)
    text, failures = runner.report(runner.run(cases, work, promtool), skipped)
    assert failures == 0, text


def test_obs_test_passes_on_a_sloth_spec(tmp_path):
    root, _, _ = compiled(tmp_path, "sloth")
    done = run_obs("test", "--no-own", cwd=root, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
