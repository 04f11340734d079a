"""SLO → recording and alerting rule groups (SPEC §2.2). Built by the SLO-compiler issue."""

from __future__ import annotations

from obs.catalog import Catalog
from obs.rulegen import Group


def service_groups(catalog: Catalog, service: str) -> list[Group]:
    return []
