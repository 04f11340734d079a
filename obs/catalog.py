"""The Catalog: the resolved, immutable model every target and check reads.

Defaults are applied, standalone items merged into their services, packs expanded, labels
merged and names fixed. Each entry keeps the model object it came from (`.spec`), its
position and the format it was written in, so output can be traced to a file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from obs.diagnostics import Position
from obs.model import SLO, AlertRule, ChannelSpec, LogAlert, NativeRule, SkyWalking
from obs.model.service import ServiceSpec, Workload
from obs.project import Project


@dataclass(frozen=True)
class Origin:
    pos: Position | None
    format: str = "obs"

    def __str__(self) -> str:
        return str(self.pos) if self.pos else "?"


@dataclass(frozen=True)
class SLOEntry:
    service: str
    name: str
    spec: SLO
    window: str
    objective: float  # percent, as written
    labels: dict[str, str]  # project, service and SLO labels plus team; no service/slo/severity
    alert_name: str
    notify: tuple[str, ...]
    runbook: str | None
    origin: Origin

    @property
    def ratio(self) -> float:
        """The objective as a ratio: 99.9 → 0.999."""
        return self.objective / 100


@dataclass(frozen=True)
class AlertEntry:
    service: str | None
    spec: AlertRule
    labels: dict[str, str]  # every label the rule carries, severity and team included
    annotations: dict[str, str]
    notify: tuple[str, ...]
    origin: Origin
    #: the pack it came from, if any
    pack: str | None = None


@dataclass(frozen=True)
class RuleGroupEntry:
    """A native Prometheus group, carried through with the project's labels."""

    name: str
    service: str | None
    team: str | None
    interval: str | None
    rules: tuple[NativeRule, ...]
    labels: dict[str, str]
    origin: Origin
    limit: int | None = None
    query_offset: str | None = None


@dataclass(frozen=True)
class LogAlertEntry:
    service: str | None
    name: str
    spec: LogAlert
    index: str
    timestamp_field: str
    targets: tuple[str, ...]
    labels: dict[str, str]
    notify: tuple[str, ...]
    team: str | None
    origin: Origin
    #: for rules read from ElastAlert 2 files: the rule as written (passed through)
    raw: dict[str, Any] | None = None
    #: quiet time after a notification: the alert's `realert:`, else defaults.logs.realert by severity
    #: (None in Alertmanager mode: re-sent every run, Alertmanager deduplicates)
    realert: str | None = None


@dataclass(frozen=True)
class ChannelEntry:
    name: str
    spec: ChannelSpec
    origin: Origin


@dataclass(frozen=True)
class ServiceEntry:
    name: str
    team: str
    namespace: str | None
    runtime: str
    workload: Workload
    labels: dict[str, str]  # project + service labels + team + service
    dashboards: tuple[str, ...]
    apm: SkyWalking | None  # with defaults applied, None when disabled
    spec: ServiceSpec
    origin: Origin


@dataclass(frozen=True)
class Catalog:
    root: Path
    project: Project
    services: dict[str, ServiceEntry] = field(default_factory=dict)
    slos: tuple[SLOEntry, ...] = ()
    alerts: tuple[AlertEntry, ...] = ()
    rule_groups: tuple[RuleGroupEntry, ...] = ()
    log_alerts: tuple[LogAlertEntry, ...] = ()
    channels: dict[str, ChannelEntry] = field(default_factory=dict)
    #: custom dashboard files (relative paths) from the project's dashboards globs
    dashboard_files: tuple[str, ...] = ()
    #: SLO window (seconds) → its own burn-rate windows (kind BurnRatePolicy, e.g. from Sloth's AlertWindows)
    policies: dict[float, tuple] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.project.name

    @property
    def defaults(self) -> Any:
        return self.project.spec.defaults

    def for_service(self, service: str | None) -> ServiceView:
        return ServiceView(self, service)

    def by_service(self, kind: str) -> dict[str | None, list]:
        """service → its entries of `kind` (slos, alerts, rule_groups, log_alerts), in catalog
        order; built once (a service view per service filtering the whole catalog was quadratic)."""
        index = self.__dict__.setdefault("_by_service", {})  # frozen: the cache is not a field
        if kind not in index:
            grouped: dict[str | None, list] = {}
            for entry in getattr(self, kind):
                grouped.setdefault(entry.service, []).append(entry)
            index[kind] = grouped
        return index[kind]

    def owners(self) -> list[str | None]:
        """Every service name that owns rules or alerts, sorted; None for unowned groups."""
        names = {s for s in self.services} | {a.service for a in self.alerts} | {g.service for g in self.rule_groups}
        return sorted((n for n in names if n), key=str)


@dataclass(frozen=True)
class ServiceView:
    catalog: Catalog
    service: str | None

    @property
    def slos(self) -> list[SLOEntry]:
        return list(self.catalog.by_service("slos").get(self.service, ()))

    @property
    def alerts(self) -> list[AlertEntry]:
        return list(self.catalog.by_service("alerts").get(self.service, ()))

    @property
    def rule_groups(self) -> list[RuleGroupEntry]:
        return list(self.catalog.by_service("rule_groups").get(self.service, ()))

    @property
    def log_alerts(self) -> list[LogAlertEntry]:
        return list(self.catalog.by_service("log_alerts").get(self.service, ()))
