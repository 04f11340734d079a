"""The `when:` grammar of a LogAlert (SPEC §1.5), as text or the equivalent mapping.

One parser for both forms gives one Condition that every log target compiles; a mistake is
one Diagnostic pointing at the column of the offending word, never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from typing import Any

from obs import codes, durations
from obs.diagnostics import Diagnostic, Position

BAD_CONDITION = codes.define("LG001", "logs/condition",
                             "A log alert's `when:` is not a condition of the grammar (SPEC §1.5).")

OPS = (">=", "<=", ">", "<")
AGGS = ("avg", "min", "max", "sum")
_OP_WORDS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_FIELD = r"[A-Za-z_@][A-Za-z0-9_.@\-]*"
EXAMPLES = ("any, count > 20 in 5m, count < 5 in 10m, absent for 15m, spike up x3 in 10m, new value of error.code, "
            "distinct user.id > 100 in 1h, avg(took_millis) > 2000 in 10m, ratio > 5% in 10m")


@dataclass(frozen=True)
class Condition:
    """A parsed condition. `kind` is any|count|absent|spike|new_value|distinct|metric|ratio|elastalert."""

    kind: str
    op: str | None = None
    threshold: float | None = None
    window: str | None = None
    field: str | None = None
    agg: str | None = None
    direction: str | None = None
    factor: float | None = None
    fields: tuple[str, ...] = ()
    #: ElastAlert-only conditions: the rule type's options as written
    options: dict[str, Any] = dc_field(default_factory=dict)
    pos: Position | None = None

    @property
    def seconds(self) -> float:
        return durations.seconds(self.window) if self.window else 0.0

    def describe(self) -> str:
        """The condition in the string grammar (also the canonical form written into provenance)."""
        k, n = self.kind, _num(self.threshold)
        if k == "any":
            return "any"
        if k == "count":
            return f"count {self.op} {n} in {self.window}"
        if k == "absent":
            return f"absent for {self.window}"
        if k == "spike":
            return f"spike {self.direction} x{_num(self.factor)} in {self.window}"
        if k == "new_value":
            return "new value of " + ", ".join(self.fields)
        if k == "distinct":
            return f"distinct {self.field} {self.op} {n} in {self.window}"
        if k == "metric":
            return f"{self.agg}({self.field}) {self.op} {n} in {self.window}"
        if k == "ratio":
            return f"ratio {self.op} {n}% in {self.window}"
        return f"elastalert {self.options.get('type')}"


class ConditionError(Exception):
    def __init__(self, message: str, offset: int = 0, hint: str | None = None) -> None:
        super().__init__(message)
        self.offset, self.hint = offset, hint


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(value)


def parse_condition(value: Any, pos: Position | None = None) -> Condition | Diagnostic:
    """Parse `when:`; a Diagnostic (code LG001) at the offending column when it is not valid."""
    try:
        if isinstance(value, str):
            cond = _parse_text(value)
        elif isinstance(value, dict):
            from obs.logs.condition_map import parse_mapping
            cond = parse_mapping(value)
        else:
            raise ConditionError(f"a condition is text or a mapping, not {type(value).__name__}")
    except ConditionError as e:
        where = pos
        if pos is not None and isinstance(value, str) and e.offset:
            where = Position(pos.file, pos.line, pos.col + e.offset)
        return Diagnostic(BAD_CONDITION, f"invalid log alert condition {value!r}: {e}" if isinstance(value, str)
                          else f"invalid log alert condition: {e}", where, hint=e.hint or f"conditions: {EXAMPLES}")
    return replace(cond, pos=pos)


# --- text form -------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(>=|<=|>>|<<|==|=|!=|[<>(),%]|x(?=[-\d.])|[^\s<>(),%=!]+)")


def _tokens(text: str) -> list[tuple[str, int]]:
    out, i = [], 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if not m or not m.group(1):
            break
        out.append((m.group(1), m.start(1)))
        i = m.end()
    return out


class _Reader:
    def __init__(self, text: str) -> None:
        self.text, self.toks, self.i = text, _tokens(text), 0

    def peek(self) -> str | None:
        return self.toks[self.i][0] if self.i < len(self.toks) else None

    def at(self) -> int:
        return self.toks[self.i][1] if self.i < len(self.toks) else len(self.text)

    def take(self, what: str = "more") -> str:
        """The next token, whatever it is; `what` names it in the error at the end of the text."""
        tok = self.peek()
        if tok is None:
            raise ConditionError(f"it ends where {what} was expected", self.at())
        self.i += 1
        return tok

    def expect(self, word: str) -> None:
        tok = self.peek()
        if tok is None or tok.lower() != word:
            raise ConditionError(f"expected {word!r} but found " + (repr(tok) if tok else "the end"), self.at())
        self.i += 1

    def op(self) -> str:
        at, tok = self.at(), self.peek()
        if tok in OPS:
            self.i += 1
            return tok
        if tok in (">>", "<<", "==", "=", "!="):
            raise ConditionError(f"{tok!r} is not a comparison here: use >, >=, < or <=", at)
        raise ConditionError(f"expected a comparison (>, >=, <, <=) but found {tok or 'the end'!r}", at)

    def number(self, what: str, whole: bool = False, negative: bool = False, percent: bool = False) -> float:
        at, tok = self.at(), self.take(what)
        try:
            value = float(tok)
        except ValueError:
            raise ConditionError(f"expected {what} but found {tok!r}", at) from None
        if value != value or value in (float("inf"), float("-inf")):
            raise ConditionError(f"{tok!r} is not a finite number", at)
        if value < 0 and not negative:
            raise ConditionError(f"{what} cannot be negative ({tok})", at)
        if whole and not value.is_integer():
            raise ConditionError(f"{what} must be a whole number, not {tok}", at)
        if percent:
            if self.peek() != "%":
                raise ConditionError(f"write the share as a percentage, e.g. {tok}%", self.at())
            self.i += 1
            if value > 100:
                raise ConditionError(f"a percentage is at most 100, not {tok}%", at)
        return value

    def duration(self) -> str:
        at, tok = self.at(), self.take("a duration")
        return _duration(tok, at)

    def field(self) -> str:
        at, tok = self.at(), self.take("a field name")
        if not re.fullmatch(_FIELD, tok):
            raise ConditionError(f"{tok!r} is not a field name", at)
        return tok

    def end(self) -> None:
        if self.peek() is not None:
            raise ConditionError(f"unexpected {self.peek()!r} after the condition", self.at())


def _duration(tok: Any, at: int = 0) -> str:
    text = str(tok)
    if not durations.is_duration(text):
        m = re.fullmatch(r"\d+(\.\d+)?([A-Za-z]+)", text)
        unit = f": unknown unit {m.group(2)!r}" if m else ""
        raise ConditionError(f"{text!r} is not a duration{unit}", at, "durations are like 30s, 5m, 1h, 1d, 1w")
    if durations.seconds(text) < 1:
        raise ConditionError(f"{text!r} is shorter than a second", at)
    return text


def meaningful(kind: str, op: str, n: float, at: int = 0) -> None:
    """A count, distinct count or percentage compared past its range always or never holds; the
    targets would each read such a condition their own way (ElastAlert's `num_events: 1` for `>= 0`)."""
    hi = 100.0 if kind == "ratio" else float("inf")
    verdict = "always" if (op == ">=" and n <= 0) or (op == "<=" and n >= hi) else \
        "never" if (op == "<" and n <= 0) or (op == ">" and n >= hi) else None
    if verdict:
        raise ConditionError(f"`{kind} {op} {_num(n)}{'%' if kind == 'ratio' else ''}` {verdict} holds",
                             at, "for every matching line write `any`; for none, `absent for D`")


def _window(r: _Reader) -> str:
    r.expect("in")
    return r.duration()


def _parse_text(text: str) -> Condition:
    r = _Reader(text.strip() and text)
    head = (r.peek() or "").lower()
    if not head:
        raise ConditionError("the condition is empty")
    if head == "any":
        r.take()
        r.end()
        return Condition("any")
    if head == "count":
        r.take()
        at, op = r.at(), r.op()
        n = r.number("the count", whole=True)
        meaningful("count", op, n, at)
        cond = Condition("count", op, n, _window(r))
    elif head == "absent":
        r.take()
        r.expect("for")
        cond = Condition("absent", "<", 1, r.duration())
    elif head == "spike":
        r.take()
        at, direction = r.at(), r.take("up, down or both").lower()
        if direction not in ("up", "down", "both"):
            raise ConditionError(f"a spike goes up, down or both, not {direction!r}", at)
        at = r.at()
        r.expect("x")
        factor = r.number("the spike factor")
        if factor <= 1:
            raise ConditionError(f"a spike factor must be above 1 (x{_num(factor)} is no spike)", at)
        cond = Condition("spike", direction=direction, factor=factor, window=_window(r))
    elif head == "new":
        r.take()
        r.expect("value")
        r.expect("of")
        names = [r.field()]
        while r.peek() == ",":
            r.take()
            names.append(r.field())
        cond = Condition("new_value", fields=tuple(names), field=names[0])
    elif head == "distinct":
        r.take()
        name = r.field()
        at, op = r.at(), r.op()
        n = r.number("the number of values", whole=True)
        meaningful("distinct", op, n, at)
        cond = Condition("distinct", op, n, _window(r), field=name)
    elif head in AGGS:
        r.take()
        r.expect("(")
        name = r.field()
        r.expect(")")
        op = r.op()
        cond = Condition("metric", op, r.number("the threshold", negative=True), _window(r), field=name, agg=head)
    elif head == "ratio":
        r.take()
        at, op = r.at(), r.op()
        n = r.number("the percentage", percent=True)
        meaningful("ratio", op, n, at)
        cond = Condition("ratio", op, n, _window(r))
    else:
        raise ConditionError(f"{r.peek()!r} does not start a condition", r.at())
    r.end()
    return cond
