"""Everyday mistakes that used to pass lint and give SLOs that never burn (issue #11): each is
now one line at the value to edit, with the fix in the hint."""

from __future__ import annotations

import pytest
from helpers import lint_source

SERVICE = """apiVersion: obs/v1
kind: Service
metadata: {{name: api, team: core}}
spec:
  slos:
    - name: avail
      objective: {objective}
      sli: {{ratio: {{errors: 'x{{code="500"}}', total: x}}}}
"""


@pytest.mark.parametrize("objective,meant", [("0.999", "99.9"), ("0.95", "95"), ("0.9995", "99.95")])
def test_an_objective_written_as_a_ratio_is_an_error_with_the_percentage(tmp_path, objective, meant):
    result = lint_source(tmp_path, SERVICE.format(objective=objective))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"s.yaml:7:18: error[SC004]: spec.slos[0].objective: objective {objective} means "
                               f"{objective}% of events good"), result.stderr
    assert lines[1] == f"  hint: did you mean {meant}? (an objective is a percentage, not a ratio)"


def test_a_low_objective_that_is_no_ratio_is_still_an_error(tmp_path):
    result = lint_source(tmp_path, SERVICE.format(objective="20"))
    assert "s.yaml:7:18: error[SC004]" in result.stderr and "below 50" in result.stderr
    assert "hint: an objective is the percentage of good events" in result.stderr


def test_a_real_objective_at_the_boundary_passes(tmp_path):
    result = lint_source(tmp_path, SERVICE.format(objective="50"))
    assert "SC004" not in result.stderr


LATENCY = """apiVersion: obs/v1
kind: Service
metadata: {{name: api, team: core}}
spec:
  slos:
    - name: fast
      objective: 99
      sli:
        latency:
          histogram: x_seconds_bucket{{job="a"}}
          threshold: {threshold}
"""


@pytest.mark.parametrize("threshold,hint", [("500", "500ms (0.5s)"), ("0.5", "0.5s (500ms)"), ("2", "2s (2000ms)")])
def test_a_bare_number_threshold_is_an_error_with_both_spellings(tmp_path, threshold, hint):
    result = lint_source(tmp_path, LATENCY.format(threshold=threshold))
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        f"s.yaml:11:22: error[SC005]: spec.slos[0].sli.latency.threshold: {threshold} has no unit; obs does not "
        "guess between seconds and milliseconds", f"  hint: write the unit: {hint}"]


@pytest.mark.parametrize("threshold,le", [("500ms", 'le="0.5"'), ("0.5s", 'le="0.5"'), ("2s", 'le=~"2|2\\\\.0"'),
                                          ("0.25s", 'le="0.25"')])
def test_a_threshold_with_a_unit_selects_its_bucket(tmp_path, threshold, le):
    from obs.pipeline import build
    from obs.rulegen.slo import service_groups
    lint_source(tmp_path, LATENCY.format(threshold=threshold))
    result = build(tmp_path)
    assert [d.render() for d in result.diags.items if d.severity.value == "error"] == []
    (group,) = service_groups(result.catalog, "api")
    assert f'x_seconds_bucket{{job="a", {le}}}' in group.rules[0].expr
