"""PromQL that Prometheus would refuse, found before it reaches a server: every expression of
AlertRules, RuleGroups and packs, every SLI selector and raw SLI (with $window filled in)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

import promql_parser

from obs.checks import check
from obs.diagnostics import Diagnostic, Position
from obs.load.salvage import broken_of
from obs.model.slo import SLI

if TYPE_CHECKING:
    from obs.pipeline import Build

SAMPLE_WINDOW = "5m"


@lru_cache(maxsize=1 << 16)
def parse_error(expr: str) -> str | None:
    """promql-parser's complaint about `expr`, or None when it parses (memoised: the same
    selector comes back from every SLO of a service and from every check that asks)."""
    try:
        promql_parser.parse(expr)
    except (ValueError, TypeError) as e:
        return str(e) or "invalid PromQL"
    return None


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
