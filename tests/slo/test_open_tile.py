"""A new SLO shows its period ratio and budget from the first evaluation (issue 14): the period
sums the closed tiles and the open one, and `slo:sli_window_coverage:ratio<period>` says how much of the
window they hold — next to nothing at first, growing, 1 once the window is full — while the
ratio stays the exact count ratio under uneven traffic. promtool evaluates the compiled rules
every minute over more than a whole 3d window (a 30d one would take 40 000 evaluations)."""

from __future__ import annotations

import subprocess
from fractions import Fraction

from conftest_helpers import one_slo

from obs.pipeline import build
from obs.rulegen import slo as rulegen
from obs.targets.prometheus import rule_file
from obs.yamlout import dump

SLI = 'ratio: {errors: "req_total{code=\\"500\\"}", total: req_total}'
MINUTES_BUSY = 1440  # the first day: 1024 requests a minute, 8 of them errors
BUSY, BUSY_ERR, QUIET, QUIET_ERR = 1024, 8, 64, 4  # then 64 a minute, 4 errors
WINDOW = 3 * 86400
SEL = '{service="svc", slo="good"}'


def _counter(busy: int, quiet: int, minutes: int) -> str:
    return f"0+{busy}x{MINUTES_BUSY} {busy * MINUTES_BUSY + quiet}+{quiet}x{minutes - MINUTES_BUSY}"


def _ok(expr: str, at: str) -> dict:
    return {"expr": f"count({expr}) or vector(0)", "eval_time": at, "exp_samples": [{"labels": "{}", "value": 1}]}


def _near(series: str, value: Fraction, at: str, tolerance: float = 1e-9) -> dict:
    """The series is within `tolerance` (relative) of the exact value at that time."""
    v = float(value)
    return _ok(f"abs({series}{SEL} - {v!r}) <= {abs(v) * tolerance + 1e-12!r}", at)


def _same_as_base_sums(series: str, at: str) -> dict:
    """The ratio of the sums of every base sample in the window, as the untiled rule reads it:
    the tiles and the open tile hold exactly the window's samples, none a tile late."""
    e, t = f"slo:sli_error_events:rate4m{SEL}", f"slo:sli_total_events:rate4m{SEL}"
    whole = f"sum_over_time({e}[2d23h59m59s]) / sum_over_time({t}[2d23h59m59s])"  # (t - 3d, t] in 2.x and 3.x
    return _ok(f"abs({series}{SEL} - {whole}) <= 1e-12", at)


def _exact_ratio(start_min: int, end_min: int) -> Fraction:
    """The count ratio over the minutes (start, end] of the input."""
    busy = max(0, min(end_min, MINUTES_BUSY) - start_min)
    quiet = (end_min - start_min) - busy
    return Fraction(busy * BUSY_ERR + quiet * QUIET_ERR, busy * BUSY + quiet * QUIET)


def test_the_period_exists_from_the_first_evaluation_and_says_how_much_it_covers(tmp_path, promtool):
    (tmp_path / "p").mkdir()
    project = one_slo(tmp_path / "p", SLI, window="3d")
    result = build(project, run_checks=True)
    (entry,) = result.catalog.slos
    group = rulegen.slo_group(result.catalog, entry)
    (tmp_path / "rules.yaml").write_text(dump(rule_file([group])))
    budget = Fraction(1, 1000)
    end = 3 * 1440 + 6 * 60 + 6  # 3d6h6m: the window full, 6m past a tile boundary
    period, remaining, coverage = "slo:sli_error:ratio_rate3d", "slo:error_budget_remaining:ratio", \
        "slo:sli_window_coverage:ratio3d"
    first = _exact_ratio(0, 1)  # rate() needs two samples: the first evaluation with data is at 1m
    checks = [
        _near(period, first, "1m"), _near(remaining, 1 - first / budget, "1m"),
        _near(coverage, Fraction(60, WINDOW), "1m"),
        _near(coverage, Fraction(11 * 60, WINDOW), "11m"),  # before the first tile (12m at 3d)
        _near(period, first, "11m"),
        _near(coverage, Fraction(1, 3), "1d"), _near(coverage, Fraction(1, 2), "36h"),
        _same_as_base_sums(period, "36h30m"), _same_as_base_sums(period, "2d23h59m"),  # no tile lag
        _same_as_base_sums(period, "3d6h6m"), _same_as_base_sums(period, "3d6h"),  # at a boundary too
        _near(coverage, Fraction(1), "3d"), _near(coverage, Fraction(1), "3d6h6m"),
        # full: the count ratio of (6h6m, 3d6h6m] to 0.1% (the base rates' 4m smear at the two
        # edges, busy at one and quiet at the other, is 0.08% here)
        _near(period, _exact_ratio(end - 3 * 1440, end), "3d6h6m", 1e-3),
        _ok(f"abs({remaining}{SEL} - (1 - {period}{SEL} / 0.001)) <= 1e-9", "3d6h6m"),
    ]
    test = {"rule_files": ["rules.yaml"], "evaluation_interval": "1m", "tests": [{
        "interval": "1m",
        "input_series": [
            {"series": 'req_total{code="500"}', "values": _counter(BUSY_ERR, QUIET_ERR, end + 1)},
            {"series": 'req_total{code="200"}', "values": _counter(BUSY - BUSY_ERR, QUIET - QUIET_ERR, end + 1)},
        ],
        "promql_expr_test": checks,
    }]}
    (tmp_path / "open.test.yaml").write_text(dump(test))
    proc = subprocess.run([promtool, "test", "rules", "open.test.yaml"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
