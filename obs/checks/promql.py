"""PromQL that Prometheus would refuse, found before it reaches a server: every expression of
AlertRules, RuleGroups and packs, every SLI selector and raw SLI (with $window filled in)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import promql_parser

from obs.checks import check
from obs.diagnostics import Diagnostic, Position
from obs.load.salvage import broken_of
from obs.model.slo import SLI

if TYPE_CHECKING:
    from obs.pipeline import Build

SAMPLE_WINDOW = "5m"


#: a string literal with no backslash, quote, newline or control character inside: where it ends
#: is beyond doubt. Anything else quote-like, a comment or a backslash: no shape (see `shape`).
_SCAN = re.compile(r"""("[^"'`\\\x00-\x1f\x7f]*"|'[^"'`\\\x00-\x1f\x7f]*')|([{}])|(["'`#\\])""")
#: the whole text between a `{` or a string and the next string that makes it a matcher's value
_MATCHER = re.compile(r"[ \t\r\n]*,?[ \t\r\n]*([A-Za-z_][A-Za-z0-9_]*)[ \t\r\n]*(!=|=~|!~|=)[ \t\r\n]*")
_PLAIN_REGEX = re.compile(r"[A-Za-z0-9_-]+")
_exact: dict[str, str | None] = {}
_valid_shapes: set[str] = set()
MEMO_LIMIT = 1 << 16


def shape(expr: str) -> str | None:
    """`expr` with the value of every label matcher whose value cannot bear on validity
    written as "x" (a non-empty value) — dashboards and SLIs repeat one query shape with
    other label values, and whether PromQL parses does not depend on them. None when the
    text holds anything whose lexing is not beyond doubt (escapes, backticks, comments,
    unterminated or multi-line strings). Kept as written: the empty value (a selector must
    have a matcher that does not match ""), `__name__` and quoted label names, and regular
    expressions other than a run of word characters and dashes (those compile, and never
    match ""). tests/unit/test_promql_shape.py holds every case against promql-parser."""
    out, depth, i, last = [], 0, 0, 0
    for m in _SCAN.finditer(expr):
        literal, brace = m.group(1), m.group(2)
        if m.group(3):
            return None
        if brace:
            depth += 1 if brace == "{" else -1
        elif depth == 1 and len(literal) > 2:
            before = _MATCHER.fullmatch(expr, last, m.start())
            if before and before.group(1) != "__name__" and literal[1:-1].isascii() and (
                    before.group(2) in ("=", "!=") or _PLAIN_REGEX.fullmatch(literal, 1, len(literal) - 1)):
                out.append(expr[i:m.start()])
                out.append('"x"')
                i = m.end()
        last = m.end()
    if i == 0:
        return expr
    out.append(expr[i:])
    return "".join(out)


def parse_error(expr: str) -> str | None:
    """promql-parser's complaint about `expr`, or None when it parses. Memoised on the text,
    and validity on the query's shape: the parse runs once per shape, and the real text is
    parsed whenever its shape is not known to be valid (so a message is always the text's own)."""
    if expr in _exact:
        return _exact[expr]
    key = shape(expr)
    if key is not None and key in _valid_shapes:
        return None
    try:
        promql_parser.parse(expr)
        problem = None
    except (ValueError, TypeError) as e:
        problem = str(e) or "invalid PromQL"
    if len(_exact) >= MEMO_LIMIT:
        _exact.clear()
        _valid_shapes.clear()
    _exact[expr] = problem
    if problem is None and key is not None:
        _valid_shapes.add(key)
    return problem


def fill_window(expr: str) -> str:
    return expr.replace("$window", SAMPLE_WINDOW).replace("{{.window}}", SAMPLE_WINDOW)


def _expressions(build: Build) -> Iterator[tuple[str, str, Position | None]]:
    for a in build.catalog.alerts:
        yield f"alert {a.spec.name}" + (f" (pack {a.pack})" if a.pack else ""), a.spec.expr, \
            a.spec.pos_of("expr") or a.origin.pos
    for g in build.catalog.rule_groups:
        for r in g.rules:
            yield f"rule {r.name} of group {g.name}", r.expr, r.pos_of("expr") or g.origin.pos
    for s in build.catalog.slos:
        yield from _sli_expressions(f"SLO {s.service}/{s.name}", s.spec.sli)
    for item in broken_of(build.defs, "AlertRule"):  # a missing summary must not hide a bad `expr`
        if item.intact("expr") and isinstance(item.data["expr"], str):
            yield f"alert {item.name}", item.data["expr"], item.data.where("expr")
    for item in broken_of(build.defs, "SLO"):
        sli = item.part("sli", SLI)
        if sli is not None:
            yield from _sli_expressions(f"SLO {item.service}/{item.name}", sli)


def _sli_expressions(what: str, sli: SLI) -> Iterator[tuple[str, str, Position | None]]:
    body = sli.ratio or sli.latency or sli.raw
    for field in ("errors", "good", "total", "histogram", "errorRatio"):
        value = getattr(body, field, None)
        if value:
            yield f"{what} {field}", fill_window(value), body.pos_of(field)


@check("PQ001", "promql/syntax", "An expression or selector is not valid PromQL.")
def syntax(build: Build) -> list[Diagnostic]:
    out = []
    for what, expr, pos in _expressions(build):
        problem = parse_error(expr)
        if problem:
            out.append(Diagnostic("PQ001", f"{what}: invalid PromQL: {problem}", pos))
    return out
