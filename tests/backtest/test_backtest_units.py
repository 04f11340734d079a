"""The pure parts of backtest: recordings written into expressions, and the rule manager's states."""

from __future__ import annotations

import promql_parser as pp
import pytest

from obs.backtest.expand import KEEP, Expander, ExpandError, Recording
from obs.backtest.states import firings

RULES = [Recording("job:errors:rate5m", 'sum by (job, code) (rate(errors_total{env="prod"}[5m]))', {"team": "a"}, 60),
         Recording("job:errors:rate1h", "sum_over_time(job:errors:rate5m[1h]) / 12", {"team": "a"}, 30)]


def test_a_recording_becomes_its_expression_with_its_labels():
    text = Expander(RULES).expand('job:errors:rate5m{team="a"} > 1')
    assert text == ('(label_replace(sum by (job, code) (rate(errors_total{env="prod"}[5m])), "team", "a", "", ""))'
                    ' > 1')
    pp.parse(text)


def test_a_matcher_the_rule_contradicts_reads_nothing_and_others_filter_at_query_time():
    ex = Expander(RULES)
    assert ex.expand('job:errors:rate5m{team="b"}') == "(vector(0) < 0)"
    text = ex.expand('job:errors:rate5m{code=~"5.."}')
    assert f'"{KEEP}", "1", "code", "5.."' in text and f"and on({KEEP})" in text
    assert "unless on(" in ex.expand('job:errors:rate5m{code!="200"}')
    pp.parse(text)


def test_a_range_over_a_recording_is_a_subquery_at_its_groups_interval_recursively():
    text = Expander(RULES).expand("job:errors:rate1h > 0.1")
    assert "[1h:1m]" in text and "errors_total" in text
    assert Expander(RULES).raw_selectors("job:errors:rate1h") == ['errors_total{env="prod"}']
    pp.parse(text)


def test_a_recording_that_reads_itself_is_refused():
    loop = [Recording("a:x", "a:x + 1", {}, 60)]
    with pytest.raises(ExpandError):
        Expander(loop).expand("a:x")


def _evals(pattern: str):
    """'..11.1' → evaluations every 60s: 1 returns the series (value 5), . returns nothing."""
    key = (("job", "api"),)
    return [(i * 60.0, {key: 5.0} if c == "1" else {}) for i, c in enumerate(pattern)]


def test_for_holds_pending_and_a_gap_resets_it():
    # active 0-60s (not 2m), a gap resets it; active again from 180s: firing at 300s, resolved at 360s
    assert [(f.start, f.end) for f in firings("A", _evals("11.111.."), hold=120)] == [(300.0, 360.0)]
    got = firings("A", _evals(".1111.."), hold=120, static={"severity": "warning"})
    assert [(f.start, f.end) for f in got] == [(180.0, 300.0)]
    assert got[0].labels == {"job": "api", "severity": "warning", "alertname": "A"} and got[0].peak == 5.0


def test_keep_firing_for_and_a_firing_still_on_at_the_end():
    assert [(f.start, f.end) for f in firings("A", _evals("1.1..."), keep_firing_for=120)] == [(0.0, 240.0)]
    assert [(f.start, f.end) for f in firings("A", _evals("..11"))] == [(120.0, None)]
