"""What a PromQL expression asks of Prometheus, read with promql-parser: its selectors (each with
the function that consumes its range and the window), the labels its aggregations group by,
and whether it is a scalar. Pure: the live checks compare these facts with the server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import promql_parser as pp

from obs.rulegen.selector import MATCH_OPS as _OPS
from obs.rulegen.selector import Matcher
from obs.rulegen.selector import regex as _regex

#: functions that take a counter the right way (they handle resets)
COUNTER_FUNCS = frozenset({"rate", "irate", "increase", "resets"})
#: per-second rates and increases: wrong over a gauge, and their window must span scrapes
RATE_FUNCS = frozenset({"rate", "irate", "increase"})
#: functions and aggregations for which a series' type does not matter (presence, counting, time)
ANY_TYPE_FUNCS = frozenset({"absent", "absent_over_time", "present_over_time", "count_over_time", "timestamp",
                            "changes", "label_replace", "label_join"})
ANY_TYPE_AGGS = frozenset({"count", "group", "count_values"})
#: the right side of these only filters by labels: its values are never used
FILTER_OPS = frozenset({"and", "unless"})
@dataclass(frozen=True)
class Sel:
    """A series selector in one canonical spelling (matchers sorted): equal selectors ask once."""

    metric: str | None
    matchers: tuple[Matcher, ...]  # without the metric name's equality matcher

    @property
    def text(self) -> str:
        inner = ", ".join(str(m) for m in self.matchers)
        return f"{self.metric or ''}{{{inner}}}" if inner or not self.metric else self.metric

    def __str__(self) -> str:
        return self.text

    def matches(self, labels: dict[str, str]) -> bool:
        return (self.metric is None or labels.get("__name__") == self.metric) and \
            all(m.matches(labels.get(m.name, "")) for m in self.matchers)

    def local(self) -> bool:
        """Whether Python can match it as Prometheus does (RE2 syntax Python lacks: ask alone)."""
        try:
            for m in self.matchers:
                if m.op in ("=~", "!~"):
                    _regex(m.value)
        except re.error:
            return False
        return True

    def without(self, matcher: Matcher) -> Sel:
        return Sel(self.metric, tuple(m for m in self.matchers if m != matcher))


@dataclass(frozen=True)
class Use:
    """One selector where an expression reads it."""

    sel: Sel
    func: str | None = None  # the function whose range argument it is (rate, increase, avg_over_time…)
    window: float | None = None  # that range in seconds (None for subqueries and instant vectors)
    any_type: bool = False  # under count(), absent(), the filter side of `and`…: its type does not matter


@dataclass(frozen=True)
class Grouping:
    """An aggregation `by (labels)` and the selectors it aggregates."""

    labels: tuple[str, ...]
    sels: tuple[Sel, ...]
    made: frozenset[str] = frozenset()  # labels label_replace/label_join/count_values create below it


@dataclass
class Analysis:
    uses: list[Use] = field(default_factory=list)
    groupings: list[Grouping] = field(default_factory=list)
    scalar: bool = False


def analyse(expr: str, drop_value: re.Pattern | None = None) -> Analysis:
    """The facts of `expr` (ValueError if it does not parse); matchers whose value matches
    `drop_value` are left out (dashboard variables Grafana fills in)."""
    try:
        node = pp.parse(expr)
    except (ValueError, TypeError) as e:
        raise ValueError(str(e) or "invalid PromQL") from None
    out = Analysis(scalar=value_type(node) == "scalar")
    _walk(node, out, None, None, False, drop_value)
    return out


def selector(node: pp.VectorSelector, drop_value: re.Pattern | None = None) -> Sel:
    metric, matchers = node.name or None, []
    for m in node.matchers.matchers:
        op = _OPS.get(str(m.op), "=")
        if m.name == "__name__" and op == "=":
            metric = m.value
        elif not (drop_value is not None and drop_value.search(m.value)):
            matchers.append(Matcher(m.name, op, m.value))
    return Sel(metric, tuple(sorted(set(matchers), key=lambda m: (m.name, m.op, m.value))))


def value_type(node) -> str:
    if isinstance(node, pp.NumberLiteral):
        return "scalar"
    if isinstance(node, pp.StringLiteral):
        return "string"
    if isinstance(node, (pp.MatrixSelector, pp.SubqueryExpr)):
        return "matrix"
    if isinstance(node, pp.Call):
        return str(node.func.return_type).rsplit(".", 1)[-1].lower()
    if isinstance(node, (pp.ParenExpr, pp.UnaryExpr)):
        return value_type(node.expr)
    if isinstance(node, pp.BinaryExpr):
        both = value_type(node.lhs) == value_type(node.rhs) == "scalar"
        return "scalar" if both else "vector"
    return "vector"


def _walk(node, out: Analysis, func: str | None, window: float | None, any_type: bool, drop) -> list[Sel]:
    """Visit `node`, recording uses and groupings; returns the selectors below it."""
    if isinstance(node, pp.VectorSelector):
        if node.matchers.or_matchers:  # `or` inside braces (Prometheus 3): not a plain selector
            return []
        sel = selector(node, drop)
        out.uses.append(Use(sel, func, window, any_type))
        return [sel]
    if isinstance(node, pp.MatrixSelector):
        return _walk(node.vector_selector, out, func, node.range.total_seconds(), any_type, drop)
    if isinstance(node, pp.SubqueryExpr):
        return _walk(node.expr, out, None, None, any_type, drop)
    if isinstance(node, pp.Call):
        name = node.func.name
        below: list[Sel] = []
        for arg in node.args:
            ranged = isinstance(arg, (pp.MatrixSelector, pp.SubqueryExpr))
            below += _walk(arg, out, name if ranged else None, None, any_type or name in ANY_TYPE_FUNCS, drop)
        return below
    if isinstance(node, pp.AggregateExpr):
        below = _walk(node.expr, out, None, None, any_type or str(node.op) in ANY_TYPE_AGGS, drop)
        modifier = node.modifier
        if modifier is not None and str(modifier.type).endswith("By") and modifier.labels:
            out.groupings.append(Grouping(tuple(modifier.labels), tuple(below), _made(node.expr)))
        return below
    if isinstance(node, pp.BinaryExpr):
        left = _walk(node.lhs, out, None, None, any_type, drop)
        return left + _walk(node.rhs, out, None, None, any_type or str(node.op) in FILTER_OPS, drop)
    if isinstance(node, (pp.ParenExpr, pp.UnaryExpr)):
        return _walk(node.expr, out, func, window, any_type, drop)
    return []


def _made(node) -> frozenset[str]:
    """Labels created by label_replace / label_join / count_values anywhere below `node`."""
    made: set[str] = set()

    def visit(n) -> bool:
        if isinstance(n, pp.Call) and n.func.name in ("label_replace", "label_join") and len(n.args) > 1:
            if isinstance(n.args[1], pp.StringLiteral):
                made.add(n.args[1].val)
        if isinstance(n, pp.AggregateExpr) and str(n.op) == "count_values" and isinstance(n.param, pp.StringLiteral):
            made.add(n.param.val)
        return True

    pp.walk(node, visit)
    return frozenset(made)
