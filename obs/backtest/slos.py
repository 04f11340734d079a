"""Per SLO over the backtest range: the error ratio, the share of one window's error budget the
range spent, and (for the HTML report) the error ratio and each tier's burn rate over time —
read from the SLO's own recordings, written in (obs.backtest.expand)."""

from __future__ import annotations

from dataclasses import dataclass, field

from obs import slo as policy
from obs.backtest.expand import Expander
from obs.backtest.metrics import Span, series_sum
from obs.catalog import Catalog, SLOEntry
from obs.durations import seconds
from obs.live.prometheus import Prometheus
from obs.rulegen import slo as rulegen

Series = list[tuple[float, float | None]]


@dataclass
class SLOSummary:
    entry: SLOEntry
    objective: float
    budget: float
    error_ratio: float | None = None
    #: share of one SLO window's budget spent within the range (1.0 = all of it)
    budget_spent: float | None = None
    ratio_series: Series = field(default_factory=list)
    #: "page 1h" → burn rate over that long window, at each instant
    burn: dict[str, Series] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.entry.service}/{self.entry.name}"


def summarise(prom: Prometheus, catalog: Catalog, expander: Expander, entry: SLOEntry, span: Span,
              charts: bool) -> SLOSummary | None:
    if rulegen.slo_group(catalog, entry) is None:
        return None
    plan = rulegen.plan_for(catalog, entry)
    budget = float(rulegen.budget_of(entry))
    out = SLOSummary(entry, entry.objective, budget)
    step = plan.interval
    base = plan.name(plan.base)
    if entry.spec.sli.kind == "raw":
        ratio = series_sum(prom, _expanded(expander, entry, rulegen.ERROR_RATIO.format(w=base)), span, step)
        known = [v for _, v in ratio if v is not None]
        out.error_ratio = sum(known) / len(known) if known else None
        out.ratio_series = ratio
    else:
        errors = series_sum(prom, _expanded(expander, entry, rulegen.ERROR_EVENTS.format(w=base)), span, step)
        total = series_sum(prom, _expanded(expander, entry, rulegen.TOTAL_EVENTS.format(w=base)), span, step)
        e_sum = sum(v for _, v in errors if v is not None)
        t_sum = sum(v for _, v in total if v is not None)
        out.error_ratio = e_sum / t_sum if t_sum > 0 else None
        out.ratio_series = [(t, (e / n) if e is not None and n else None)
                            for (t, e), (_, n) in zip(errors, total, strict=True)]
    if out.error_ratio is not None and budget > 0:
        out.budget_spent = out.error_ratio / budget * (span.end - span.start) / seconds(entry.window)
    if charts:
        for pair in plan.pairs:
            label = f"{pair.tier} {policy.fmt(pair.long)}"
            ratio = series_sum(prom, _expanded(expander, entry, rulegen.ERROR_RATIO.format(w=plan.name(pair.long))),
                               span, step)
            out.burn[label] = [(t, v / budget if v is not None and budget else None) for t, v in ratio]
            out.thresholds[label] = pair.factor
    return out


def _expanded(expander: Expander, entry: SLOEntry, record: str) -> str:
    return expander.expand(rulegen.recorded(entry, record))
