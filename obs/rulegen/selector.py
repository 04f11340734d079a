"""Plain series selectors of SLIs: parsed once (promql-parser), matched, and written back with
extra matchers (the `le` bound of a latency SLI)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from json.encoder import encode_basestring

import promql_parser

#: promql-parser's match operators as PromQL spells them
MATCH_OPS = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~"}
_compiled: dict[str, re.Pattern] = {}


def regex(text: str) -> re.Pattern:
    """A matcher's regular expression, compiled once (live validation matches thousands of values)."""
    return _compiled.get(text) or _compiled.setdefault(text, re.compile(text))


@dataclass(frozen=True)
class Matcher:
    name: str
    op: str  # = != =~ !~
    value: str

    def matches(self, value: str) -> bool:
        """Prometheus semantics: a missing label is "", regular expressions are anchored."""
        if self.op == "=":
            return value == self.value
        if self.op == "!=":
            return value != self.value
        hit = regex(self.value).fullmatch(value) is not None
        return hit if self.op == "=~" else not hit

    def __str__(self) -> str:
        return f"{self.name}{self.op}{encode_basestring(self.value)}"  # json.dumps(ensure_ascii=False)


@dataclass(frozen=True)
class Selector:
    metric: str
    matchers: tuple[Matcher, ...]

    def with_matchers(self, *extra: Matcher) -> Selector:
        return Selector(self.metric, self.matchers + extra)

    def matches(self, metric: str, labels: dict[str, str]) -> bool:
        return metric == self.metric and all(m.matches(labels.get(m.name, "")) for m in self.matchers)

    def pinned(self, label: str) -> str | None:
        """The one value an equality matcher fixes for `label`, if any."""
        for m in self.matchers:
            if m.name == label and m.op == "=":
                return m.value
        return None

    def __str__(self) -> str:
        inner = ", ".join(str(m) for m in self.matchers)
        return f"{self.metric}{{{inner}}}" if inner else self.metric


@lru_cache(maxsize=1 << 16)
def parse(text: str) -> Selector:
    """A plain series selector (`name{matchers}`); ValueError says why anything else is not one.
    Memoised (a Selector is frozen): every SLO's rules and alerts ask for the same two."""
    try:
        expr = promql_parser.parse(text.strip())
    except (ValueError, TypeError) as e:
        raise ValueError(f"not valid PromQL: {e}") from None
    if not isinstance(expr, promql_parser.VectorSelector):
        kind = type(expr).__name__.replace("Expr", "").lower()
        raise ValueError(f"must be a plain series selector such as requests_total{{job=\"api\"}}, not a {kind} "
                         "expression (obs writes the rate() and sum() itself)")
    if expr.offset or expr.at:
        raise ValueError("must be a plain series selector without offset or @")
    matchers, metric = [], expr.name
    for m in expr.matchers.matchers:
        op = MATCH_OPS.get(str(m.op), "=")
        if m.name == "__name__" and op == "=":
            metric = m.value
        else:
            matchers.append(Matcher(m.name, op, m.value))
    if not metric:
        raise ValueError("must name its metric (obs needs one series name per selector)")
    return Selector(metric, tuple(matchers))
