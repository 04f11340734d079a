"""Metric alerts over Prometheus's history: each alert's expression, recordings written in, asked
by range queries at its group's interval, then the rule manager's states (obs.backtest.states).

Cost: a range query evaluates the expression's subqueries once over the whole slice plus their
look-behind (the longest window, 3d for a 30d SLO's ticket tier), so slices are as long as the
server allows (11,000 points) and halved only when Prometheus refuses the samples a slice
would load. Evaluation instants are multiples of the interval, as subqueries align them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from obs.backtest.expand import Expander
from obs.backtest.rules import MetricAlert
from obs.backtest.states import Firing, Labels, firings
from obs.live.prometheus import Prometheus, QueryError

#: Prometheus refuses a range query of more points per series than this
MAX_POINTS = 11_000
#: a slice is never halved below this many points
MIN_POINTS = 60


@dataclass(frozen=True)
class Span:
    start: float
    end: float

    def steps(self, step: float) -> Iterator[float]:
        """The evaluation instants in the span: multiples of `step`."""
        t = math.ceil(self.start / step) * step
        while t <= self.end + 1e-9:
            yield t
            t += step


@dataclass
class Gap:
    """A stretch with no samples for a selector an alert reads."""

    selector: str
    start: float
    end: float
    absent: bool = False  # no sample at all in the range


@dataclass
class AlertRun:
    alert: MetricAlert
    expr: str  # as asked, recordings written in
    firings: list[Firing] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    error: str | None = None


Matrix = dict[float, dict[Labels, float]]


def key_of(metric: dict[str, str]) -> Labels:
    return tuple(sorted((k, v) for k, v in metric.items() if k != "__name__"))


def matrix(prom: Prometheus, expr: str, span: Span, step: float) -> Matrix:
    """{instant: {labels: value}} for every instant of the span (empty where nothing was returned),
    asked in slices of at most MAX_POINTS points, halved if the server refuses a slice's samples."""
    instants = list(span.steps(step))
    out: Matrix = {t: {} for t in instants}
    size, i = MAX_POINTS, 0
    while i < len(instants):
        chunk = instants[i:i + size]
        try:
            result = prom.query_range(expr, chunk[0], chunk[-1], step)
        except QueryError as e:
            if "sample" in e.message and size > MIN_POINTS:
                size = max(MIN_POINTS, size // 2)
                continue
            raise
        for series in result.result:
            key = key_of(series.get("metric") or {})
            for t, v in series.get("values") or ():
                t = round(float(t), 3)
                value = float(v)
                if t in out and not math.isnan(value):
                    out[t][key] = value
        i += len(chunk)
    return out


def run_alert(prom: Prometheus, expander: Expander, alert: MetricAlert, span: Span) -> AlertRun:
    expr = expander.expand(alert.expr)
    run = AlertRun(alert, expr)
    # evaluated from `for:` earlier, so an alert already pending when the range starts fires on time
    warm = Span(span.start - alert.hold, span.end)
    try:
        values = matrix(prom, expr, warm, alert.interval)
    except QueryError as e:
        run.error = str(e)
        return run
    found = firings(alert.name, sorted(values.items()), alert.hold, alert.keep_firing_for, alert.labels, alert.kind)
    run.firings = [f for f in found if f.end is None or f.end > span.start]
    return run


class Coverage:
    """Where each scraped selector has samples: 'no data' stretches, asked once per selector."""

    def __init__(self, prom: Prometheus, scrape: float) -> None:
        self.prom, self.scrape = prom, scrape
        self._memo: dict[tuple[str, float, float, float], list[Gap]] = {}

    def gaps(self, selector: str, span: Span, step: float) -> list[Gap]:
        key = (selector, span.start, span.end, step)
        if key not in self._memo:
            self._memo[key] = self._ask(selector, span, step)
        return self._memo[key]

    def _ask(self, selector: str, span: Span, step: float) -> list[Gap]:
        # a sample within two scrape intervals (and one step): one missed scrape is not a gap
        window = max(2 * self.scrape, step)
        values = matrix(self.prom, f"count(count_over_time({selector}[{int(window)}s]))", span, step)
        missing = [t for t, got in sorted(values.items()) if not got]
        if len(missing) == len(values):
            return [Gap(selector, span.start, span.end, absent=True)] if values else []
        return [Gap(selector, a, b) for a, b in runs(missing, step)]


def runs(instants: list[float], step: float) -> list[tuple[float, float]]:
    """Consecutive instants as (first, last + step) stretches."""
    out: list[tuple[float, float]] = []
    for t in instants:
        if out and abs(t - out[-1][1]) < 1e-6:
            out[-1] = (out[-1][0], t + step)
        else:
            out.append((t, t + step))
    return out


def series_sum(prom: Prometheus, expr: str, span: Span, step: float) -> list[tuple[float, float | None]]:
    """A one-series expression (summed) at each instant; None where it returned nothing."""
    values = matrix(prom, f"sum({expr})", span, step)
    return [(t, next(iter(got.values())) if got else None) for t, got in sorted(values.items())]
