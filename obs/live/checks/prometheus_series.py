"""Every selector of every rule, SLO, pack and dashboard has series — and where one has none,
what Prometheus has instead: no such metric (did you mean…), no such label, or the values
the label does have (did you mean…). obs's own recordings and metrics an environment need
not have are info, not errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from obs import codes
from obs.diagnostics import Diagnostic, Severity
from obs.live import live_check
from obs.live.definitions import Expression
from obs.live.promql import Sel
from obs.live.survey import LOOKBACK, RULE_MANAGER, Absence, Survey, survey

if TYPE_CHECKING:
    from obs.live.clients import Clients
    from obs.pipeline import Build

PENDING = codes.define("LV019", "prometheus/not-recorded-yet", "A selector reads a series this project's own rules "
                       "record, not in Prometheus before they are applied (info).")
OPTIONAL = codes.define("LV020", "prometheus/optional-series", "A selector has no series in an environment that need "
                        "not have them (expectedIn, optionalMetrics): info.")
SHOWN = 12  # values listed in a message


def _missing(s: Survey) -> Iterator[tuple[Expression, Sel, str]]:
    """(expression, selector, what) for every selector without series: once per definition, and
    once per dashboard with the panels that read it named in `what`."""
    found: dict[tuple, tuple[Expression, Sel, list[str]]] = {}
    for e in s.defs.expressions:
        for u in e.analysis.uses:
            if not s.of(u.sel):
                key = (e.site.what, e.site.pos, u.sel.text)
                parts = found.setdefault(key, (e, u.sel, []))[2]
                if e.site.part and e.site.part not in parts:
                    parts.append(e.site.part)
    for e, sel, parts in found.values():
        label = "panel" if len(parts) == 1 else "panels"
        yield e, sel, e.site.what + (f" ({label} {', '.join(parts)})" if parts else "")


def listed(values: list[str]) -> str:
    shown = ", ".join(values[:SHOWN]) if values else "none"
    return shown + (f" … ({len(values)} in all)" if len(values) > SHOWN else "")


def severity_of(e: Expression) -> Severity:
    """An empty panel is a defect to fix, not an alert that silently never fires."""
    return Severity.WARNING if e.site.kind == "dashboard" else Severity.ERROR


def _no_errors_yet(s: Survey, e: Expression, why: Absence) -> bool:
    """An SLO's errors selector whose only unmet matchers are those its total lacks: no errors happened."""
    if e.baseline is None or why.kind != "label-value" or why.matcher in e.baseline.matchers:
        return False
    return bool(s.of(e.baseline))


@live_check("LV010", "prometheus/series", "A selector matches no series in Prometheus: its metric or a label it "
            "names does not exist there.", servers=("prometheus",))
def series(build: Build, clients: Clients) -> list[Diagnostic]:
    s, out = survey(build, clients), []
    pending: dict[tuple, set[str]] = {}
    for e, sel, what in _missing(s):
        where = e.site.pos
        if s.pending(sel):
            pending.setdefault((e.site.what, where), set()).add(sel.metric or "")
            continue
        if s.optional_here(sel, e.site):
            out.append(Diagnostic(OPTIONAL, f"{what}: {sel} has no series in environment {s.env!r}, which need not "
                                  "have them", where, Severity.INFO))
            continue
        why = s.absence(sel, e.baseline)
        if why.kind == "label-value":
            continue  # LV011 says which value and what exists instead
        out.append(Diagnostic("LV010", f"{what}: {sel} matches no series: {_explain(sel, why)}", where,
                              severity_of(e), _hint(why)))
    for (what, where), metrics in pending.items():
        out.append(_pending(what, where, sorted(metrics)))
    return out


def _pending(what: str, where, metrics: list[str]) -> Diagnostic:
    """One info line per definition for the series that exist only once its rules run."""
    own = [m for m in metrics if m not in RULE_MANAGER]
    said = []
    if own:
        said.append(f"{listed(own)} {'is' if len(own) == 1 else 'are'} recorded by this project's rules, there once "
                    "they are applied")
    if len(own) < len(metrics):
        said.append("ALERTS exists only while an alert is pending or firing")
    return Diagnostic(PENDING, f"{what} reads series not in Prometheus yet: {'; '.join(said)}", where, Severity.INFO)


@live_check("LV011", "prometheus/label-value", "A matcher names a label value no series of its metric has; the "
            "values that exist are listed (did you mean…).", servers=("prometheus",))
def label_value(build: Build, clients: Clients) -> list[Diagnostic]:
    s, out = survey(build, clients), []
    for e, sel, what in _missing(s):
        if s.pending(sel) or s.optional_here(sel, e.site):
            continue
        why = s.absence(sel, e.baseline)
        if why.kind != "label-value":
            continue
        m = why.matcher
        found = f"{m.name} has {listed(why.found)}" if why.found else f"no series of {sel.metric} has {m.name} set"
        if _no_errors_yet(s, e, why):
            out.append(Diagnostic("LV011", f"{what}: {sel} has no series: no error events in the last "
                                  f"{LOOKBACK / 3600:g}h ({m} matches none of them; {found})", e.site.pos,
                                  Severity.WARNING, "expected while there were no errors; otherwise check the matcher"))
            continue
        out.append(Diagnostic("LV011", f"{what}: {sel} matches no series: no series of {sel.metric} has {m}; "
                              f"{found}", e.site.pos, severity_of(e), _hint(why)))
    return out


def _explain(sel: Sel, why: Absence) -> str:
    if why.kind == "metric":
        if sel.metric is None:
            return f"nothing matches it in the last {LOOKBACK / 3600:g}h"
        return f"Prometheus has no series named {sel.metric} in the last {LOOKBACK / 3600:g}h"
    if why.kind == "label-missing":
        return f"no series of {sel.metric} has a label {why.matcher.name} (its labels: {listed(why.found)})"
    return f"each matcher matches some series of {sel.metric}, but no series matches all of them at once"


def _hint(why: Absence) -> str | None:
    if why.suggestion is not None:
        quoted = why.suggestion if why.kind != "label-value" else f'"{why.suggestion}"'
        return f"did you mean {quoted}?"
    if why.kind == "metric":
        return ("is its exporter scraped in this environment? If the metric exists only in some environments, "
                "give the definition expectedIn, or list it in the environment's prometheus.optionalMetrics")
    return None
