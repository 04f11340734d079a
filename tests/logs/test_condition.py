"""The `when:` grammar: every SPEC §1.5 condition in both forms, and one clear error at the right column."""

import pytest

from obs.diagnostics import Diagnostic, Position
from obs.logs.condition import parse_condition

AT = Position("services/x.yaml", 7, 13)

VALID = [
    ("any", "any"),
    ("count > 20 in 5m", "count > 20 in 5m"),
    ("count >= 5 in 1h", "count >= 5 in 1h"),
    ("count < 3 in 10m", "count < 3 in 10m"),
    ("absent for 15m", "absent for 15m"),
    ("spike up x3 in 10m", "spike up x3 in 10m"),
    ("spike both x1.5 in 1h", "spike both x1.5 in 1h"),
    ("new value of error.code", "new value of error.code"),
    ("distinct user.id > 100 in 1h", "distinct user.id > 100 in 1h"),
    ("avg(took_millis) > 2000 in 10m", "avg(took_millis) > 2000 in 10m"),
    ("min(temp) < -3.5 in 1m", "min(temp) < -3.5 in 1m"),
    ("ratio > 5% in 10m", "ratio > 5% in 10m"),
    ({"count": {"gt": 20}, "in": "5m"}, "count > 20 in 5m"),
    ({"absent": {"for": "15m"}}, "absent for 15m"),
    ({"spike": {"up": 3}, "in": "10m"}, "spike up x3 in 10m"),
    ({"newValue": "error.code"}, "new value of error.code"),
    ({"distinct": {"field": "user.id", "gt": 100}, "in": "1h"}, "distinct user.id > 100 in 1h"),
    ({"avg": {"field": "took_millis", "gt": 2000}, "in": "10m"}, "avg(took_millis) > 2000 in 10m"),
    ({"ratio": {"gt": 5}, "in": "10m"}, "ratio > 5% in 10m"),
    ({"elastalert": {"type": "blacklist", "compare_key": "user", "blacklist": ["root"]}}, "elastalert blacklist"),
]


@pytest.mark.parametrize("value,canonical", VALID)
def test_valid_conditions_parse_to_one_meaning(value, canonical):
    cond = parse_condition(value, AT)
    assert not isinstance(cond, Diagnostic), cond.render()
    assert cond.describe() == canonical
    assert cond.pos == AT


INVALID = [
    ("count >> 5", 6, "'>>' is not a comparison"),
    ("count > -5 in 5m", 8, "cannot be negative"),
    ("count > 5 in 5q", 13, "unknown unit 'q'"),
    ("count > 5 in 5", 13, "is not a duration"),
    ("count > 5.5 in 5m", 8, "whole number"),
    ("ratio > 5 in 10m", 10, "percentage"),
    ("ratio > 500% in 1m", 8, "at most 100"),
    ("spike up x1 in 5m", 9, "above 1"),
    ("spike sideways x3 in 5m", 6, "up, down or both"),
    ("median(x) > 3 in 5m", 0, "does not start a condition"),
    ("count > 5 in 5m extra", 16, "unexpected 'extra'"),
    ("count > 5", 9, "expected 'in'"),
    ("", 0, "empty"),
    # conditions that always or never hold: ElastAlert and the watches would disagree on them
    ("count >= 0 in 5m", 6, "always holds"),
    ("count < 0 in 5m", 6, "never holds"),
    ("distinct user.id >= 0 in 1h", 17, "always holds"),
    ("distinct user.id < 0 in 1h", 17, "never holds"),
    ("ratio > 100% in 5m", 6, "never holds"),
    ("ratio <= 100% in 5m", 6, "always holds"),
    ("ratio < 0% in 5m", 6, "never holds"),
]


@pytest.mark.parametrize("text,offset,words", INVALID)
def test_invalid_conditions_are_one_diagnostic_at_the_column(text, offset, words):
    diag = parse_condition(text, AT)
    assert isinstance(diag, Diagnostic)
    assert diag.code == "LG001"
    assert words in diag.message
    assert diag.pos == Position(AT.file, AT.line, AT.col + offset)
    assert diag.hint


@pytest.mark.parametrize("value", [5, ["count"], {"count": {"gt": -1}, "in": "5m"}, {"count": {"gt": 1}},
                                   {"spike": {"up": 3, "down": 2}, "in": "1m"}, {"bogus": 1},
                                   {"count": {"gte": 0}, "in": "5m"}, {"ratio": {"gt": 100}, "in": "5m"},
                                   {"newValue": []}, {"ratio": {"gt": float("nan")}, "in": "5m"},
                                   {"avg": {"field": "x", "gt": float("inf")}, "in": "5m"}])
def test_invalid_mappings_are_diagnostics(value):
    assert isinstance(parse_condition(value, AT), Diagnostic)
