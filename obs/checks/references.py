"""References between documents: `notify:` must name a Channel; a standalone rule group's
file must not collide with a service's."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from obs.checks import check
from obs.diagnostics import Diagnostic

if TYPE_CHECKING:
    from obs.pipeline import Build


def _unknown(name: str, known: list[str], pos, what: str) -> Diagnostic:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else (
        f"channels: {', '.join(known)}" if known else "define it as a `kind: Channel` document")
    return Diagnostic("RF005", f"{what} notifies {name!r}, which no Channel defines", pos, hint=hint)


@check("RF005", "ref/unknown-channel", "`notify:` names a channel that no Channel document defines.")
def unknown_channels(build: Build) -> list[Diagnostic]:
    known = sorted(build.catalog.channels)
    out = []
    for slo in build.catalog.slos:
        for name in slo.notify:
            if name not in known:
                out.append(_unknown(name, known, slo.spec.alerting.pos_of("notify") or slo.origin.pos,
                                    f"SLO {slo.service}/{slo.name}"))
    for alert in build.catalog.alerts:
        for name in alert.notify:
            if name not in known:
                out.append(_unknown(name, known, alert.spec.pos_of("notify") or alert.origin.pos,
                                    f"alert {alert.spec.name}"))
    for log in build.catalog.log_alerts:
        for name in log.notify:
            if name not in known:
                out.append(_unknown(name, known, log.spec.pos_of("notify") or log.origin.pos, f"log alert {log.name}"))
    return out


@check("RF010", "ref/rule-file-collision", "A rule group without a service has the name of a service: both would "
                                           "be written to the same rule file.")
def rule_file_collision(build: Build) -> list[Diagnostic]:
    return [Diagnostic("RF010", f"rule group {g.name!r} has no service and is named like service {g.name!r}; both "
                       "would be written to the same rule file", g.origin.pos,
                       hint=f"set metadata.service: {g.name} to put the group in that service's file, or rename it")
            for g in build.catalog.rule_groups if g.service is None and g.name in build.catalog.services]
