"""An SLO as its dashboard sees it: the recording rules of SPEC §2.2 and the burn-rate policy.

The dashboard reads only the names the SLO rules record (`slo:sli_error:ratio_rate<w>`,
`slo:objective:ratio`, `slo:error_budget:ratio`, `slo:error_budget_remaining:ratio`) and the
burn alerts' conditions are evaluated from those recordings (never ALERTS, which is empty
where another ruler evaluates the alerts), so windows must be computed exactly as the rules do.
"""

from __future__ import annotations

from dataclasses import dataclass

from obs.catalog import Catalog, SLOEntry

ABSENT_ALERT = "SLOMetricAbsent"


@dataclass(frozen=True)
class BurnAlert:
    tier: str  # page | ticket
    severity: str
    long: str
    short: str
    factor: float


@dataclass(frozen=True)
class SLOView:
    entry: SLOEntry
    alerts: tuple[BurnAlert, ...]
    #: every window the dashboard reads, shortest first; the SLO window is last
    windows: tuple[str, ...]
    #: the base window: its ratio is recorded first and is what SLOMetricAbsent watches
    base: str = ""

    @property
    def matchers(self) -> str:
        return f'service="{self.entry.service}", slo="{self.entry.name}"'

    @property
    def budget(self) -> float:
        """1 - objective as a ratio, rounded the way people write it (0.001, not 0.0010000000000000009)."""
        return round(1 - self.entry.ratio, 10)

    @property
    def group_by(self) -> list[str]:
        return self.entry.spec.sli.group_by

    def tier(self, tier: str) -> tuple[BurnAlert, ...]:
        return tuple(a for a in self.alerts if a.tier == tier)


def burn_alerts(catalog: Catalog, entry: SLOEntry, plan) -> tuple[BurnAlert, ...]:
    """The enabled alerts of the SLO's plan, windows named as the record names name them, each
    with the severity its compiled alert carries (a Sloth spec's page/ticket included)."""
    from obs.rulegen.slo import burn_alert

    severity = {t: r.labels["severity"] for t in ("page", "ticket") if (r := burn_alert(catalog, entry, plan, t))}
    return tuple(BurnAlert(p.tier, severity[p.tier], plan.name(p.long), plan.name(p.short), p.factor)
                 for p in plan.pairs)


def slo_views(catalog: Catalog, service: str) -> tuple[SLOView, ...]:
    """One view per SLO whose rules obs can write; an unusable policy is reported by the SLO checks."""
    from obs.rulegen.slo import plan_for  # the plan the recording rules are written from

    views = []
    for entry in catalog.slos:
        if entry.service != service:
            continue
        try:
            plan = plan_for(catalog, entry)
        except ValueError:
            continue
        views.append(SLOView(entry, burn_alerts(catalog, entry, plan), tuple(plan.name(w) for w in plan.windows),
                             plan.name(plan.base)))
    return tuple(views)
