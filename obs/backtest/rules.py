"""What a backtest replays, from the compiled rule groups (the same groups out/prometheus holds):
every alerting rule, with its group's interval, and every recording rule it may read."""

from __future__ import annotations

from dataclasses import dataclass

from obs.backtest.expand import Recording
from obs.catalog import Catalog, Origin, SLOEntry
from obs.durations import seconds
from obs.rulegen import owners
from obs.rulegen.slo import group_name

#: Prometheus's default `evaluation_interval`, for groups that set none (KubeSphere keeps it)
DEFAULT_INTERVAL = 60.0


@dataclass(frozen=True)
class MetricAlert:
    name: str
    expr: str
    hold: float  # for:
    keep_firing_for: float
    labels: dict[str, str]
    interval: float
    owner: str  # service (or standalone group)
    group: str
    origin: Origin | None
    slo: SLOEntry | None = None

    @property
    def kind(self) -> str:
        return "slo" if self.slo is not None else "alert"


def collect(catalog: Catalog) -> tuple[list[MetricAlert], list[Recording]]:
    slos = {group_name(e): e for e in catalog.slos}
    alerts, recordings = [], []
    for owner, groups in owners(catalog).items():
        for g in groups:
            every = seconds(g.interval) if g.interval else DEFAULT_INTERVAL
            for r in g.rules:
                if r.record:
                    recordings.append(Recording(r.record, r.expr, dict(r.labels), every))
                elif r.alert:
                    alerts.append(MetricAlert(r.alert, r.expr, _secs(r.for_), _secs(r.keep_firing_for),
                                              dict(r.labels), every, owner, g.name, r.origin, slos.get(g.name)))
    return alerts, recordings


def _secs(text: str | None) -> float:
    return seconds(text) if text else 0.0


def selected(alert: MetricAlert, items: set[str]) -> bool:
    """ITEM arguments name a service, SERVICE/SLO, a rule group or an alert."""
    if not items:
        return True
    names = {alert.owner, alert.group, alert.name}
    if alert.slo is not None:
        names.add(f"{alert.slo.service}/{alert.slo.name}")
    return bool(names & items)
