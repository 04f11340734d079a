"""Names that must be unique: services, SLOs within a service, alerts within a service, log
alerts (their names are output file names), channels and rule groups."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from obs.checks import check
from obs.diagnostics import Diagnostic, Position

if TYPE_CHECKING:
    from obs.pipeline import Build


def _dupes(code: str, what: str, items: Iterable[tuple[tuple, Position | None]]) -> list[Diagnostic]:
    first: dict[tuple, Position | None] = {}
    out = []
    for key, pos in items:
        if key in first:
            where = f" (first defined at {first[key]})" if first[key] else ""
            out.append(Diagnostic(code, f"duplicate {what} {key[-1]!r}{where}", pos))
        else:
            first[key] = pos
    return out


@check("RF001", "duplicate/service", "Two Service documents have the same name.")
def services(build: Build) -> list[Diagnostic]:
    return _dupes("RF001", "service", (((d.metadata.name,), d.metadata.pos_of("name")) for d, _ in build.defs.services))


@check("RF002", "duplicate/slo", "Two SLOs of one service have the same name.")
def slos(build: Build) -> list[Diagnostic]:
    return _dupes("RF002", "SLO", (((s.service, s.name), s.spec.pos_of("name")) for s in build.catalog.slos))


@check("RF003", "duplicate/alert", "Two alerts of one service (AlertRule or pack) have the same name.")
def alerts(build: Build) -> list[Diagnostic]:
    return _dupes("RF003", "alert", (((a.service, a.spec.name), a.spec.pos_of("name") or a.origin.pos)
                                     for a in build.catalog.alerts if a.pack is None))


@check("RF004", "duplicate/log-alert", "Two log alerts have the same name (log alert names are project-wide: "
                                       "they name the output files).")
def log_alerts(build: Build) -> list[Diagnostic]:
    return _dupes("RF004", "log alert", (((a.name,), a.spec.pos_of("name")) for a in build.catalog.log_alerts))


@check("RF008", "duplicate/channel", "Two Channel documents have the same name.")
def channels(build: Build) -> list[Diagnostic]:
    return _dupes("RF008", "channel", (((d.metadata.name,), d.metadata.pos_of("name")) for d, _ in build.defs.channels))


@check("RF009", "duplicate/rule-group", "Two rule groups with the same name would land in the same rule file.")
def rule_groups(build: Build) -> list[Diagnostic]:
    return _dupes("RF009", "rule group", (((g.service, g.name), g.origin.pos) for g in build.catalog.rule_groups))
