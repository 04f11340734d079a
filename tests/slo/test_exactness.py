"""The period error ratio is the exact count ratio, even under uneven traffic: a busy healthy
day followed by a quiet day at 1% errors. An average of 5m ratios (Sloth's 30d rule) is off by
orders of magnitude on the same data; promtool evaluates both."""

from __future__ import annotations

import subprocess

from obs.rulegen import slo as rulegen
from obs.targets.prometheus import rule_file
from obs.yamlout import dump

ERRORS = 102 / 1024  # per minute on the quiet day: ~1% of 10/min, exact in binary
BUSY, QUIET = 10000.0, 10.0
DAY = 1440


def _values(day1: float, day2: float) -> str:
    end1 = day1 * (DAY - 1)
    return f"0+{day1:g}x{DAY - 1} {end1 + day2:.10g}+{day2:.10g}x{DAY}"


def test_period_ratio_is_the_count_ratio(slo_build, promtool, tmp_path):
    entry = next(e for e in slo_build.catalog.slos if e.service == "api-30d" and e.name == "availability")
    group = rulegen.slo_group(slo_build.catalog, entry)
    (tmp_path / "rules.yaml").write_text(dump(rule_file([group])))
    exact = ERRORS * DAY / (BUSY * DAY + QUIET * DAY)
    period = 'slo:sli_error:ratio_rate30d{service="api-30d", slo="availability"}'
    average = 'avg_over_time(slo:sli_error:ratio_rate5m{service="api-30d", slo="availability"}[2d])'
    test = {
        "rule_files": ["rules.yaml"], "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": [
                {"series": 'http_requests_total{job="api", code="500"}', "values": _values(0, ERRORS)},
                {"series": 'http_requests_total{job="api", code="200"}', "values": _values(BUSY, QUIET - ERRORS)},
            ],
            "promql_expr_test": [
                {"expr": f"count(abs({period} - {exact!r}) / {exact!r} < 0.005) or vector(0)", "eval_time": "2d",
                 "exp_samples": [{"labels": "{}", "value": 1}]},
                {"expr": f"count({average} / {exact!r} > 10) or vector(0)", "eval_time": "2d",
                 "exp_samples": [{"labels": "{}", "value": 1}]},
            ],
        }],
    }
    (tmp_path / "exact.test.yaml").write_text(dump(test))
    proc = subprocess.run([promtool, "test", "rules", "exact.test.yaml"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
