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
