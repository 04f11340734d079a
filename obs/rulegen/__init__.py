"""Prometheus rule groups for each owner (service, or a standalone group), shared by the
prometheus, prometheus-operator and kubesphere targets: they differ only in the wrapper.

Per service, groups come in a fixed order: SLO groups (obs.rulegen.slo, `slo-<interval>`), the service's
alerts (AlertRule and packs), then its native RuleGroups. Standalone RuleGroups without a
service form their own owner, named after the group.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from obs.catalog import Catalog, Origin


@dataclass(frozen=True)
class Rule:
    expr: str
    record: str | None = None
    alert: str | None = None
    for_: str | None = None
    keep_firing_for: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    origin: Origin | None = None
    #: the same series without reading the rule's own earlier samples (obs.rulegen.tiles), for
    #: readers that write recordings into expressions instead of running them (obs backtest)
    unrolled: str | None = None

    @property
    def name(self) -> str:
        return self.alert or self.record or ""

    def as_dict(self) -> dict:
        """The rule in Prometheus's own key order; empty fields left out."""
        out: dict = {"record": self.record} if self.record else {"alert": self.alert}
        out["expr"] = self.expr
        if self.for_:
            out["for"] = self.for_
        if self.keep_firing_for:
            out["keep_firing_for"] = self.keep_firing_for
        if self.labels:
            out["labels"] = dict(self.labels)
        if self.annotations and not self.record:
            out["annotations"] = dict(self.annotations)
        return out


@dataclass(frozen=True)
class Group:
    name: str
    rules: tuple[Rule, ...]
    interval: str | None = None
    origin: Origin | None = None
    limit: int | None = None
    query_offset: str | None = None
    #: the name repeats in every owner's file (the SLO groups): where names are global rather
    #: than per file (KubeSphere objects), the owner's name goes with it
    per_owner: bool = False

    def as_dict(self, with_rules: bool = True) -> dict:
        out: dict = {"name": self.name}
        if self.interval:
            out["interval"] = self.interval
        if self.limit:
            out["limit"] = self.limit
        if self.query_offset:
            out["query_offset"] = self.query_offset
        if with_rules:
            out["rules"] = [r.as_dict() for r in self.rules]
        return out


#: the catalog owners() last ran on and its result: the prometheus and prometheus-operator
#: targets of one compile ask for the same groups (a frozen Catalog; Groups and Rules are frozen)
_last: tuple[weakref.ref, dict[str, list[Group]]] | None = None


def owners(catalog: Catalog) -> dict[str, list[Group]]:
    """Owner name → its groups, for every owner with at least one rule; sorted by owner."""
    global _last
    if _last is not None and _last[0]() is catalog:
        return {owner: list(groups) for owner, groups in _last[1].items()}
    result = _owners(catalog)
    _last = (weakref.ref(catalog), result)
    return {owner: list(groups) for owner, groups in result.items()}


def forget() -> None:
    """Drops the groups owners() keeps (compile_targets, once every target has its files)."""
    global _last
    _last = None


def _owners(catalog: Catalog) -> dict[str, list[Group]]:
    from obs.rulegen import alerts, native, slo

    result: dict[str, list[Group]] = {}
    for service in catalog.owners():
        groups = slo.service_groups(catalog, service) + alerts.service_groups(catalog, service) \
            + native.groups(catalog, service)
        if groups:
            result[service] = groups
    for group in native.groups(catalog, None):
        result.setdefault(group.name, []).append(group)
    return dict(sorted(result.items()))
