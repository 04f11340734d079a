"""What obs reads from PromQL for the live checks: selectors with the function consuming their
range and its window, where a raw counter is fine, aggregation labels, scalar rules."""

from __future__ import annotations

import re

import pytest

from obs.live.promql import Matcher, Sel, analyse


def uses(expr: str) -> list[tuple[str, str | None, float | None, bool]]:
    return [(u.sel.text, u.func, u.window, u.any_type) for u in analyse(expr).uses]


def test_selectors_with_the_function_and_window_that_consume_them():
    assert uses('sum(rate(a_total{job="x"}[5m])) / sum(increase(b[1h])) > 0.1') == [
        ('a_total{job="x"}', "rate", 300.0, False), ("b", "increase", 3600.0, False)]


def test_a_subquery_keeps_the_inner_rate_window():
    assert uses("max_over_time(rate(x[5m])[1h:1m])") == [("x", "rate", 300.0, False)]


def test_counting_presence_and_filters_take_any_type():
    found = uses("count(a) > 0 and on() absent(b) unless c")
    assert found == [("a", None, None, True), ("b", None, None, True), ("c", None, None, True)]


def test_equal_selectors_are_spelled_once_whatever_the_matcher_order():
    one, two = (analyse(e).uses[0].sel.text for e in ('x{b="2", a="1"}', 'x{a="1",b="2"}'))
    assert one == two == 'x{a="1", b="2"}'


def test_a_name_regex_is_a_matcher_and_dashboard_variables_are_dropped():
    [u] = analyse('{__name__=~"http_.*", job!=""}').uses
    assert u.sel.metric is None and Matcher("__name__", "=~", "http_.*") in u.sel.matchers
    [u] = analyse('rate(x{service="$service", a="b"}[5m])', re.compile(r"\$")).uses
    assert u.sel.text == 'x{a="b"}'


def test_aggregation_labels_and_the_labels_label_replace_makes():
    [g] = analyse('sum by (team) (label_replace(x, "team", "$1", "ns", "(.*)"))').groupings
    assert g.labels == ("team",) and g.made == {"team"} and g.sels == (Sel("x", ()),)
    [g] = analyse("sum by (le, route) (rate(h_bucket[5m]))").groupings
    assert g.labels == ("le", "route") and not g.made
    assert analyse("sum without (a) (x)").groupings == []


@pytest.mark.parametrize("expr, scalar", [("1 + 1", True), ("scalar(x)", True), ("time() - 5", True),
                                           ("vector(1)", False), ("x * 2", False)])
def test_scalar_rules_are_told_apart(expr, scalar):
    assert analyse(expr).scalar is scalar


def test_matching_follows_prometheus():
    sel = analyse('x{a=~"5..", b!="", c=""}').uses[0].sel
    assert sel.matches({"__name__": "x", "a": "503", "b": "1"})
    assert not sel.matches({"__name__": "x", "a": "5030", "b": "1"})  # anchored
    assert not sel.matches({"__name__": "x", "a": "503", "b": "1", "c": "z"})  # c="" means absent
    assert not sel.matches({"__name__": "y", "a": "503", "b": "1"})


def test_invalid_promql_is_a_value_error():
    with pytest.raises(ValueError):
        analyse("rate(x[5m)")
