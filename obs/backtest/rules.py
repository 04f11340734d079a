"""What a backtest replays, from the compiled rule groups (the same groups out/prometheus holds):
every alerting rule, with its group's interval, and every recording rule it may read."""

from __future__ import annotations

from dataclasses import dataclass

from obs.backtest.expand import Recording
from obs.catalog import Catalog, Origin, SLOEntry
from obs.durations import seconds
from obs.rulegen import owners

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
    # a service's SLOs share one group per interval (slo-1m): an alert finds its SLO by the origin
    # its rules carry, or by its service and `slo` label where origins coincide
    by_origin: dict = {}
    for e in catalog.slos:
        by_origin.setdefault(e.origin, []).append(e)
    by_name = {(e.service, e.name): e for e in catalog.slos}
    alerts, recordings = [], []
    for owner, groups in owners(catalog).items():
        for g in groups:
            every = seconds(g.interval) if g.interval else DEFAULT_INTERVAL
            for r in g.rules:
                if r.record:
                    recordings.append(Recording(r.record, r.unrolled or r.expr, dict(r.labels), every))
                elif r.alert:
                    alerts.append(MetricAlert(r.alert, r.expr, _secs(r.for_), _secs(r.keep_firing_for),
                                              dict(r.labels), every, owner, g.name, r.origin,
                                              _slo_of(r, owner, by_origin, by_name)))
    return alerts, recordings


def _slo_of(rule, owner: str, by_origin: dict, by_name: dict) -> SLOEntry | None:
    candidates = [e for e in by_origin.get(rule.origin, []) if e.service == owner]
    if rule.origin is not None and rule.origin.pos is not None and len(candidates) == 1:
        return candidates[0]
    name = rule.labels.get("slo") or rule.labels.get("sloth_slo")
    return by_name.get((owner, name)) if name else None


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
