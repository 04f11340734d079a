"""The pure parts of benchmarks/evaluation_cost.py (benchmarks/evaluation_data.py): the traffic is
uneven and deterministic, the exact ratio is a difference of counters, the three tools get the
same SLOs, and only recordings read over a range are backfilled, in dependency order."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import evaluation_data as data  # noqa: E402


@pytest.fixture(scope="module")
def traffic():
    return data.generate_traffic(3, 2 * data.DAY)


def test_traffic_is_deterministic_cumulative_and_uneven(traffic):
    again = data.generate_traffic(3, 2 * data.DAY)
    assert again.total == traffic.total and again.errors == traffic.errors
    assert traffic.minutes == 2 * data.DAY
    for tot, err in zip(traffic.total, traffic.errors):
        assert tot[0] == err[0] == 0
        assert all(b >= a for a, b in zip(tot, tot[1:])) and all(b >= a for a, b in zip(err, err[1:]))
        assert all(e <= t for e, t in zip(err, tot))
        per_min = [b - a for a, b in zip(tot, tot[1:])]
        assert max(per_min) > 3 * min(per_min)  # diurnal shape and bursts
        ratios = [(err[k + 5] - err[k]) / max(1, tot[k + 5] - tot[k]) for k in range(0, len(tot) - 5, 5)]
        # the mean of 5m ratios is not the ratio of counts: what Sloth's 30d average gets wrong
        assert abs(statistics.mean(ratios) - err[-1] / tot[-1]) > 0.001 * err[-1] / tot[-1]


def test_exact_ratio_is_the_counter_difference(traffic):
    tot, err = traffic.total[1], traffic.errors[1]
    assert data.exact_ratio(traffic, 1, 0, traffic.minutes) == pytest.approx(err[-1] / tot[-1])
    assert data.exact_ratio(traffic, 1, 60, 120) == pytest.approx((err[120] - err[60]) / (tot[120] - tot[60]))
    # clamped to the data: a 30d window over 2 days is the whole history
    assert data.exact_ratio(traffic, 1, -43200, traffic.minutes + 50) == pytest.approx(err[-1] / tot[-1])
    half = data.exact_ratio(traffic, 1, 60.5, 120)
    assert min(data.exact_ratio(traffic, 1, 60, 120), data.exact_ratio(traffic, 1, 61, 120)) <= half


def test_openmetrics_and_exposition_agree(tmp_path, traffic):
    n = data.write_openmetrics(tmp_path / "s.om", traffic, 1_000_000_000, minutes=10)
    lines = (tmp_path / "s.om").read_text().splitlines()
    assert n == 3 * 2 * 11 and lines[0].startswith("# TYPE http_requests counter") and lines[-1] == "# EOF"
    last_500 = [ln for ln in lines if 'job="svc-2",instance="bench",code="500"' in ln][-1]
    assert last_500.split() == [last_500.split()[0], str(traffic.errors[2][10]), str(1_000_000_000 + 600)]
    live = data.series_lines(traffic, 2, 10)
    assert live[1].split()[1] == f"{traffic.errors[2][10]:.3f}"


def test_the_same_slos_for_each_tool(tmp_path):
    dirs = data.write_inputs(tmp_path, 2)
    obs = yaml.safe_load((dirs["obs"] / "slos" / "svc-1.yaml").read_text())
    sloth = yaml.safe_load((dirs["sloth"] / "svc-1.yaml").read_text())
    pyrra = yaml.safe_load((dirs["pyrra"] / "svc-1.yaml").read_text())
    assert obs["spec"]["slos"][0]["objective"] == sloth["slos"][0]["objective"] == float(pyrra["spec"]["target"])
    assert obs["spec"]["slos"][0]["sli"]["ratio"]["total"] == 'http_requests_total{job="svc-1"}'
    assert '{job="svc-1",code=~"5.."}[{{.window}}]' in sloth["slos"][0]["sli"]["events"]["error_query"]
    assert pyrra["spec"]["indicator"]["ratio"]["total"]["metric"] == 'http_requests_total{job="svc-1"}'


def test_backfill_levels_follow_range_reads():
    groups = [{"name": "g", "interval": "1m", "rules": [
        {"record": "a:rate5m", "expr": 'sum(rate(x{job="a:rate5m"}[5m]))'},
        {"record": "a:sum1h", "expr": "sum_over_time(a:rate5m[1h]) and on() vector(1)"},
        {"record": "a:ratio30d", "expr": 'sum_over_time(a:sum1h{slo="s"}[30d])'},
        {"record": "a:ratio5m", "expr": "a:rate5m / 2"},  # read at an instant only: no history needed
        {"alert": "Burn", "expr": "a:ratio30d > 1 and a:ratio5m > 1"},
    ]}]
    levels = data.backfill_levels(groups)
    assert [[r["record"] for g in lv for r in g["rules"]] for lv in levels] == [["a:rate5m"], ["a:sum1h"]]
    assert levels[0][0]["interval"] == "1m" and levels[0][0]["name"] == "g-0"
    assert data.backfill_levels([{"name": "p", "rules": [{"record": "r", "expr": "increase(x[30d])"}]}]) == []
