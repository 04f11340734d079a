"""Labels the definitions rely on: a latency threshold must be one of the histogram's `le`
bounds (the bounds that exist are listed), and every `groupBy` / `by (...)` label must be on
the series it aggregates, or the aggregation silently collapses into one series."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from obs.diagnostics import Diagnostic
from obs.live import live_check
from obs.live.checks.prometheus_series import listed, severity_of
from obs.live.survey import close_match, survey

if TYPE_CHECKING:
    from obs.live.clients import Clients
    from obs.pipeline import Build


def _bound(le: str) -> float:
    try:
        return float(le)
    except ValueError:
        return math.inf


@live_check("LV012", "prometheus/le-bound", "A latency SLI's threshold is not one of its histogram's `le` bounds "
            "(the bounds that exist are listed).", servers=("prometheus",))
def le_bound(build: Build, clients: Clients) -> list[Diagnostic]:
    s, out = survey(build, clients), []
    for lat in s.defs.latencies:
        series = s.of(lat.histogram)
        if not series:
            continue  # LV010/LV011 report the histogram selector itself
        bounds = sorted({x["le"] for x in series if "le" in x}, key=_bound)
        if not bounds:
            out.append(Diagnostic("LV012", f"{lat.site.what}: {lat.histogram} has no le label: it is not the "
                                  "_bucket series of a histogram", lat.site.pos,
                                  hint="name the histogram's _bucket series, e.g. http_server_requests_seconds_bucket"))
        elif not any(lat.le.matches(b) for b in bounds):
            out.append(Diagnostic("LV012", f"{lat.site.what}: {lat.threshold} is not a bucket bound of "
                                  f"{lat.histogram} ({lat.le}); its le bounds are {listed(bounds)}", lat.site.pos,
                                  hint="use one of these bounds, or add this one to the histogram's buckets where "
                                       "it is instrumented"))
    return out


@live_check("LV013", "prometheus/group-label", "A groupBy or by (...) label is on none of the series it aggregates.",
            servers=("prometheus",))
def group_label(build: Build, clients: Clients) -> list[Diagnostic]:
    s, out = survey(build, clients), []
    for e in s.defs.expressions:
        for g in e.analysis.groupings:
            if not g.sels or any(s.pending(sel) or not s.of(sel) for sel in g.sels):
                continue  # nothing to compare with (missing series are reported on their own)
            names = {k for sel in g.sels for labels in s.of(sel) for k in labels if k != "__name__"}
            for label in g.labels:
                if label in names or label in g.made:
                    continue
                what = ", ".join(dict.fromkeys(sel.text for sel in g.sels))
                close = close_match(label, sorted(names))
                out.append(Diagnostic("LV013", f"{e.site.name}: by ({label}): no series of {what} has a label "
                                      f"{label} (their labels: {listed(sorted(names))})", e.group_pos or e.site.pos,
                                      severity_of(e), f"did you mean {close}?" if close else
                                      "an aggregation by a label no series has gives one series for all"))
    return out
