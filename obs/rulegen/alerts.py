"""AlertRule (and pack) entries → one `<service>-alerts` group per service."""

from __future__ import annotations

from obs.catalog import Catalog
from obs.rulegen import Group, Rule


def service_groups(catalog: Catalog, service: str) -> list[Group]:
    entries = catalog.for_service(service).alerts
    if not entries:
        return []
    rules = tuple(Rule(expr=e.spec.expr.strip(), alert=e.spec.name, for_=e.spec.for_,
                       keep_firing_for=e.spec.keepFiringFor, labels=e.labels, annotations=e.annotations,
                       origin=e.origin) for e in entries)
    return [Group(f"{service}-alerts", rules, origin=entries[0].origin)]
