"""What the series are, from Prometheus's own metadata (`/api/v1/metadata`) and targets
(`/api/v1/targets`): rate() over a gauge, a counter read raw, and rate windows too short for
the scrape interval of the jobs behind them (a window should span at least four scrapes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from obs import codes
from obs.diagnostics import Diagnostic, Severity
from obs.durations import format_seconds
from obs.live import live_check
from obs.live.errors import Unsupported
from obs.live.promql import COUNTER_FUNCS, RATE_FUNCS
from obs.live.survey import Survey, survey

if TYPE_CHECKING:
    from obs.live.clients import Clients
    from obs.pipeline import Build

API_MISSING = codes.define("LV021", "prometheus/api-missing", "The server lacks an API a check needs (metadata, "
                           "targets): that check is skipped (info).")
#: a rate window should span this many scrapes; below half of it rate() often has one sample only
SCRAPES = 4


def _guarded(clients: Clients, what: str, fn: Callable[[], list[Diagnostic]]) -> list[Diagnostic]:
    """The check, or one info line when the server lacks the API (a Thanos querier has no targets)."""
    try:
        return fn()
    except Unsupported as e:
        return [Diagnostic(API_MISSING, f"{e.message}: {what} skipped", clients.endpoint("prometheus").pos,
                           Severity.INFO)]


@live_check("LV016", "prometheus/rate-over-gauge", "rate(), irate() or increase() is taken over a metric the "
            "server's metadata says is a gauge.", servers=("prometheus",))
def rate_over_gauge(build: Build, clients: Clients) -> list[Diagnostic]:
    s = survey(build, clients)

    def run() -> list[Diagnostic]:
        out = []
        for e in s.defs.expressions:
            for u in e.analysis.uses:
                if u.func in RATE_FUNCS and s.metric_type(u.sel.metric) == "gauge":
                    out.append(Diagnostic("LV016", f"{e.site.name}: {u.func}() over {u.sel.metric}, which is a gauge "
                                          "(Prometheus's metadata): its drops read as counter resets", e.site.pos,
                                          Severity.WARNING if e.site.kind == "dashboard" else Severity.ERROR,
                                          "use deriv(), delta() or avg_over_time() for a gauge, or rate() the "
                                          "counter behind it"))
        return out
    return _guarded(clients, "the rate-over-gauge check", run) if _any_rates(s) else []


@live_check("LV017", "prometheus/counter-without-rate", "A counter is used without rate() or increase(): its raw "
            "value depends on when the process started.", servers=("prometheus",))
def counter_without_rate(build: Build, clients: Clients) -> list[Diagnostic]:
    s = survey(build, clients)

    def run() -> list[Diagnostic]:
        out = []
        for e in s.defs.expressions:
            if e.site.kind == "dashboard":
                continue  # a panel may show a running total on purpose
            for u in e.analysis.uses:
                if u.func not in COUNTER_FUNCS and not u.any_type and s.metric_type(u.sel.metric) == "counter":
                    out.append(Diagnostic("LV017", f"{e.site.name}: {u.sel.metric} is a counter, used without rate() "
                                          "or increase(): its value only grows, and drops to 0 when the process "
                                          "restarts", e.site.pos, Severity.WARNING,
                                          f"use rate({u.sel.metric}[5m]) or increase({u.sel.metric}[1h])"))
        return out
    return _guarded(clients, "the counter check", run) if any(e.analysis.uses for e in s.defs.expressions) else []


@live_check("LV018", "prometheus/scrape-interval", "A rate window is shorter than 4 scrape intervals of the jobs "
            "whose series it reads (from /api/v1/targets).", servers=("prometheus",))
def scrape_interval(build: Build, clients: Clients) -> list[Diagnostic]:
    s = survey(build, clients)

    def run() -> list[Diagnostic]:
        out, every = [], s.intervals()
        for e in s.defs.expressions:
            if e.site.kind == "dashboard" or not e.window_check:
                continue  # Grafana picks $__rate_interval from the datasource's scrape interval
            for u in e.analysis.uses:
                if u.func not in RATE_FUNCS or not u.window:
                    continue
                jobs = {labels["job"] for labels in s.of(u.sel) if labels.get("job") in every}
                if not jobs:
                    continue
                job = max(sorted(jobs), key=lambda j: every[j])
                interval = every[job]
                if u.window >= SCRAPES * interval:
                    continue
                need = format_seconds(SCRAPES * interval)
                severity = Severity.ERROR if u.window < 2 * interval else Severity.WARNING
                out.append(Diagnostic("LV018", f"{e.site.name}: {u.func}() over {format_seconds(u.window)} of "
                                      f"{u.sel}, but job {job} is scraped every {format_seconds(interval)}: the window "
                                      f"spans fewer than {SCRAPES} scrapes ({need})", e.site.pos, severity,
                                      f"make the window at least {need}" + (f"; it is {e.window_note}"
                                                                            if e.window_note else "")))
        return out
    return _guarded(clients, "the scrape-interval check", run) if _any_rates(s) else []


def _any_rates(s: Survey) -> bool:
    return any(u.func in RATE_FUNCS for e in s.defs.expressions for u in e.analysis.uses)
