"""An SLO as its dashboard sees it: the recording rules of SPEC §2.2 and the burn-rate policy.

The dashboard reads only the names the SLO rules record (`slo:sli_error:ratio_rate<w>`,
`slo:objective:ratio`, `slo:error_budget:ratio`, `slo:error_budget_remaining:ratio`) and the
burn alerts' ALERTS series, so windows must be computed exactly as the rules compute them.
"""

from __future__ import annotations

from dataclasses import dataclass

from obs.catalog import Catalog, SLOEntry
from obs.durations import format_seconds, seconds

REFERENCE = 30 * 86400  # the policy is written for a 30d window and scales with window / 30d
SEVERITY = {"page": "critical", "ticket": "warning"}
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


def burn_alerts(catalog: Catalog, entry: SLOEntry) -> tuple[BurnAlert, ...]:
    """The enabled alerts of the policy, windows scaled to the SLO window (SPEC §2.2)."""
    return _spec_policy(catalog, entry)


def _spec_policy(catalog: Catalog, entry: SLOEntry) -> tuple[BurnAlert, ...]:
    """SPEC §2.2 by hand: defaults.slo.policy (or the default table), factor from budget when given."""
    policy = catalog.defaults.slo.policy
    rows = [(w.tier, w.long, w.short, w.factor, w.budget) for w in policy] if policy else DEFAULT_POLICY
    scale = seconds(entry.window) / REFERENCE
    alerts = []
    for tier, long, short, factor, budget in rows:
        if not getattr(entry.spec.alerting, tier).enabled:
            continue
        if factor is None:
            factor = round(budget / 100 * REFERENCE / seconds(long), 6)
        alerts.append(BurnAlert(tier, SEVERITY[tier], format_seconds(seconds(long) * scale),
                                format_seconds(seconds(short) * scale), factor))
    return tuple(alerts)


DEFAULT_POLICY = [("page", "1h", "5m", 14.4, None), ("page", "6h", "30m", 6.0, None),
                  ("ticket", "1d", "2h", 3.0, None), ("ticket", "3d", "6h", 1.0, None)]


def slo_views(catalog: Catalog, service: str) -> tuple[SLOView, ...]:
    views = []
    for entry in catalog.slos:
        if entry.service != service:
            continue
        alerts = burn_alerts(catalog, entry)
        windows = sorted({w for a in alerts for w in (a.long, a.short)} - {entry.window}, key=seconds)
        views.append(SLOView(entry, alerts, (*windows, entry.window)))
    return tuple(views)
