"""Rate windows against the scrape interval: `rate(x[1m])` over series scraped every minute
holds one sample at most, is empty, and the rule that reads it never fires.

obs's own SLO windows are at least 4 scrapes by construction (obs.slo); this check reads the
rules obs passes through or expands (AlertRules, rule packs, RuleGroups, raw SLIs). It warns,
because a job may be scraped faster than `defaults.prometheus.scrapeInterval`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import promql_parser

from obs import slo as policy
from obs.checks import check
from obs.diagnostics import Diagnostic, Position, Severity
from obs.durations import seconds

if TYPE_CHECKING:
    from obs.pipeline import Build

RATE_WINDOW = "SL020"
#: functions that need two samples or more in their range
NEEDS_SAMPLES = ("rate", "irate", "increase", "delta", "idelta", "deriv", "predict_linear")
#: `$window` of a raw SLI is one of obs's windows (4 scrapes or more); only literal ranges are read
_OBS_WINDOW = "30d"


def short_ranges(expr: str, shortest: float) -> list[tuple[str, float]]:
    """(function, range seconds) of every rate-like function over a series range shorter than
    `shortest`; a subquery's range is sampled at its step, not the scrape interval: skipped."""
    try:
        tree = promql_parser.parse(expr)
    except (ValueError, TypeError):
        return []  # PQ001 reports it
    return [(fn, r) for fn, r in _ranges(tree) if r < shortest]


def _ranges(node: object) -> Iterator[tuple[str, float]]:
    if isinstance(node, promql_parser.Call):
        for arg in node.args:
            if node.func.name in NEEDS_SAMPLES and isinstance(arg, promql_parser.MatrixSelector):
                yield node.func.name, arg.range.total_seconds()
    for attr in ("lhs", "rhs", "expr", "args", "param"):
        child = getattr(node, attr, None)
        for c in (child if isinstance(child, list) else [child]):
            if c is not None and type(c).__module__.startswith("promql_parser"):
                yield from _ranges(c)


def _expressions(build: Build) -> Iterator[tuple[str, str, Position | None, str | None]]:
    """(what, PromQL, position, pack alert name) of every expression the check reads."""
    for a in build.catalog.alerts:
        what = f"alert {a.spec.name}" + (f" of rule pack {a.pack}" if a.pack else "")
        yield what, a.spec.expr, a.spec.pos_of("expr") or a.origin.pos, a.spec.name if a.pack else None
    for g in build.catalog.rule_groups:
        for r in g.rules:
            yield f"rule {r.name} of group {g.name}", r.expr, r.pos_of("expr") or g.origin.pos, None
    for s in build.catalog.slos:
        if s.spec.sli.kind == "raw":
            raw = s.spec.sli.raw
            text = raw.errorRatio.replace("$window", _OBS_WINDOW).replace("{{.window}}", _OBS_WINDOW)
            yield f"SLO {s.service}/{s.name} errorRatio", text, raw.pos_of("errorRatio"), None


@check(RATE_WINDOW, "rules/rate-window-scrape",
       "A rate(), increase() or similar range holds fewer than 4 scrapes at defaults.prometheus.scrapeInterval: "
       "with under two samples it is empty and the rule never fires.")
def rate_windows(build: Build) -> Iterable[Diagnostic]:
    scrape = seconds(build.catalog.defaults.prometheus.scrapeInterval)
    shortest = policy.SCRAPES_PER_RATE * scrape
    for what, expr, pos, pack_alert in _expressions(build):
        for fn, window in short_ranges(expr, shortest):
            head = f"{what}: {fn}() over {policy.fmt(window)}"
            if window < 2 * scrape:
                text = (f"{head} holds at most one sample at the scrape interval {policy.fmt(scrape)}: it is "
                        "always empty and the rule never fires")
            else:
                text = (f"{head} holds fewer than {policy.SCRAPES_PER_RATE} scrapes at the scrape interval "
                        f"{policy.fmt(scrape)}: one missed scrape leaves it empty")
            fix = (f"exclude it (with: {{exclude: [{pack_alert}]}}) or scrape these series more often"
                   if pack_alert else f"use [{policy.fmt(shortest)}] or longer")
            yield Diagnostic(RATE_WINDOW, text, pos, Severity.WARNING,
                             hint=f"{fix}; defaults.prometheus.scrapeInterval says how often Prometheus scrapes")
