"""Recording rules written into the expressions that read them: the past has no `slo:*` series
(they exist only once the rules run), so a backtest asks for what the recording would have held.

A selector of a recorded name becomes the recording's expression with the rule's labels set
(`label_replace`), filtered by the selector's other matchers: statically where the rule fixes
the label, at query time otherwise. A range over a recording (`sum_over_time(r[1h])`) becomes a
subquery at the recording group's interval, which samples the expression at the same instants
the rule would have run (multiples of the interval). Recursively; a cycle is an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import promql_parser as pp

from obs.durations import format_seconds
from obs.live.promql import selector as canonical
from obs.rulegen.selector import Matcher

#: a label the query-time filters use and remove again
KEEP = "__obs_backtest_keep"
MAX_DEPTH = 16


class ExpandError(ValueError):
    """An expression obs cannot expand (a cycle, a parse error)."""


@dataclass(frozen=True)
class Recording:
    record: str
    expr: str
    labels: dict[str, str]
    interval: float  # seconds between evaluations of its group


class Expander:
    """Expressions with every recording in `recordings` written in, and the raw selectors they read."""

    def __init__(self, recordings: list[Recording]) -> None:
        self.by_name: dict[str, list[Recording]] = {}
        for r in recordings:
            self.by_name.setdefault(r.record, []).append(r)

    def expand(self, expr: str) -> str:
        return self._text(_parse(expr), ())

    def raw_selectors(self, expr: str) -> list[str]:
        """The selectors of series that are scraped (not recorded) an expression reads, once each."""
        found: dict[str, None] = {}
        self._collect(_parse(expr), found, ())
        return list(found)

    # -- reading ----------------------------------------------------------------------------
    def _collect(self, node, found: dict[str, None], seen: tuple[str, ...]) -> None:
        if isinstance(node, pp.MatrixSelector):
            node = node.vector_selector
        if isinstance(node, pp.VectorSelector):
            sel = canonical(node)
            rules = self._matching(node)
            if sel.metric in self.by_name:
                for r in rules:
                    if r.record in seen:
                        raise ExpandError(f"recording {r.record} reads itself")
                    self._collect(_parse(r.expr), found, seen + (r.record,))
            else:
                found[sel.text] = None
            return
        for child in _children(node):
            self._collect(child, found, seen)

    def _matching(self, node: pp.VectorSelector) -> list[Recording]:
        sel = canonical(node)
        out = []
        for r in self.by_name.get(sel.metric or "", ()):
            static = [m for m in sel.matchers if m.name in r.labels]
            if all(m.matches(r.labels[m.name]) for m in static):
                out.append(r)
        return out

    # -- writing ----------------------------------------------------------------------------
    def _text(self, node, seen: tuple[str, ...]) -> str:
        if len(seen) > MAX_DEPTH:
            raise ExpandError("recordings nest deeper than obs expands")
        if isinstance(node, pp.VectorSelector):
            if canonical(node).metric not in self.by_name:
                return _selector_text(node)
            inner = self._recorded(node, seen)
            mods = _modifiers(node)
            if not mods:
                return inner
            step = self._step(node)
            return f"last_over_time({inner}[{_dur(5 * 60)}:{_dur(step)}]{mods})"
        if isinstance(node, pp.MatrixSelector):
            vs = node.vector_selector
            if canonical(vs).metric not in self.by_name:
                return f"{_selector_text(vs, False)}[{_dur(node.range)}]{_modifiers(vs)}"
            return f"{self._recorded(vs, seen)}[{_dur(node.range)}:{_dur(self._step(vs))}]{_modifiers(vs)}"
        if isinstance(node, pp.SubqueryExpr):
            step = _dur(node.step) if node.step else ""
            return f"{self._text(node.expr, seen)}[{_dur(node.range)}:{step}]{_subquery_modifiers(node)}"
        if isinstance(node, pp.Call):
            return f"{node.func.name}({', '.join(self._text(a, seen) for a in node.args)})"
        if isinstance(node, pp.AggregateExpr):
            mod = ""
            if node.modifier is not None:
                word = "without" if str(node.modifier.type).endswith("Without") else "by"
                mod = f" {word} ({', '.join(node.modifier.labels)})"
            param = f"{self._text(node.param, seen)}, " if node.param is not None else ""
            return f"{node.op}{mod} ({param}{self._text(node.expr, seen)})"
        if isinstance(node, pp.BinaryExpr):
            whole, left, right = str(node), str(node.lhs), str(node.rhs)
            if not (whole.startswith(left) and whole.endswith(right)):
                raise ExpandError(f"cannot rewrite {whole}")
            middle = whole[len(left):len(whole) - len(right)]
            return f"{self._text(node.lhs, seen)}{middle}{self._text(node.rhs, seen)}"
        if isinstance(node, pp.ParenExpr):
            return f"({self._text(node.expr, seen)})"
        if isinstance(node, pp.UnaryExpr):
            return f"-{self._text(node.expr, seen)}"
        if isinstance(node, pp.StringLiteral):
            return json.dumps(node.val)
        return str(node)

    def _step(self, node: pp.VectorSelector) -> float:
        rules = self._matching(node)
        return min((r.interval for r in rules), default=60.0)

    def _recorded(self, node: pp.VectorSelector, seen: tuple[str, ...]) -> str:
        """`(…)`: the union of every rule recording this name that the selector can match, each
        with its labels set and the selector's remaining matchers applied."""
        sel = canonical(node)
        parts = []
        for r in self._matching(node):
            if r.record in seen:
                raise ExpandError(f"recording {r.record} reads itself")
            text = self._text(_parse(r.expr), seen + (r.record,))
            for name, value in sorted(r.labels.items()):
                text = f'label_replace({text}, {json.dumps(name)}, {json.dumps(value)}, "", "")'
            for m in sel.matchers:
                if m.name not in r.labels:
                    text = _filtered(text, m)
            parts.append(text)
        if not parts:  # no rule records what the selector asks: an empty vector, as in the past
            return "(vector(0) < 0)"
        return "(" + " or ".join(parts) + ")"


def _filtered(text: str, m: Matcher) -> str:
    """`text` keeping only series `m` matches: mark those its regex matches, keep (or drop) the
    marked ones, remove the mark."""
    pattern = m.value if m.op in ("=~", "!~") else _quote_regex(m.value)
    marked = f"label_replace({text}, {json.dumps(KEEP)}, \"1\", {json.dumps(m.name)}, {json.dumps(pattern)})"
    one = f'label_replace(vector(1), {json.dumps(KEEP)}, "1", "", "")'
    setop = "and" if m.op in ("=", "=~") else "unless"
    return f'label_replace({marked} {setop} on({KEEP}) {one}, {json.dumps(KEEP)}, "", "", "")'


def _quote_regex(value: str) -> str:
    import re
    return re.escape(value)


def _parse(expr: str):
    try:
        return pp.parse(expr)
    except (ValueError, TypeError) as e:
        raise ExpandError(str(e) or "invalid PromQL") from None


def _children(node) -> list:
    if isinstance(node, pp.BinaryExpr):
        return [node.lhs, node.rhs]
    if isinstance(node, pp.AggregateExpr):
        return [node.expr] + ([node.param] if node.param is not None else [])
    if isinstance(node, pp.Call):
        return list(node.args)
    if isinstance(node, (pp.ParenExpr, pp.UnaryExpr, pp.SubqueryExpr)):
        return [node.expr]
    return []


def _selector_text(node: pp.VectorSelector, with_modifiers: bool = True) -> str:
    sel = canonical(node)
    text = sel.text if sel.metric or sel.matchers else "{}"
    return text + (_modifiers(node) if with_modifiers else "")


def _modifiers(node) -> str:
    out = ""
    if node.offset is not None:
        secs = node.offset.total_seconds()
        out += f" offset {'-' if secs < 0 else ''}{_dur(abs(secs))}"
    if node.at is not None:
        out += " " + str(node.at)
    return out


def _subquery_modifiers(node: pp.SubqueryExpr) -> str:
    return _modifiers(node)


def _dur(value: float | timedelta) -> str:
    secs = value.total_seconds() if isinstance(value, timedelta) else float(value)
    return format_seconds(secs)
