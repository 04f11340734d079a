"""References between documents: `notify:` must name a Channel; a standalone rule group's
file must not collide with a service's."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from obs.checks import check
from obs.diagnostics import Diagnostic
from obs.load.yamlpos import PosList

if TYPE_CHECKING:
    from obs.pipeline import Build


def _unknown(name: str, known: list[str], pos, what: str) -> Diagnostic:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else (
        f"channels: {', '.join(known)}" if known else "define it as a `kind: Channel` document")
    return Diagnostic("RF005", f"{what} notifies {name!r}, which no Channel defines", pos, hint=hint)


def _item(spec, index: int, default):
    """Where `notify[index]` is written; the list, then the item, when positions are missing."""
    items = spec._source.get("notify") if spec is not None and spec._source is not None else None
    if isinstance(items, PosList):
        return items.where(index)
    return (spec.pos_of("notify") if spec is not None else None) or default


@check("RF005", "ref/unknown-channel", "`notify:` names a channel that no Channel document defines.")
def unknown_channels(build: Build) -> list[Diagnostic]:
    known = sorted(build.catalog.channels)

    def missing(name: str) -> bool:  # a channel of a file that did not load is that file's error, not this one
        return name not in known and not build.defs.may_define("Channel", name)
    out = []
    for slo in build.catalog.slos:
        for i, name in enumerate(slo.notify):
            if missing(name):
                out.append(_unknown(name, known, _item(slo.spec.alerting, i, slo.origin.pos),
                                    f"SLO {slo.service}/{slo.name}"))
    for alert in build.catalog.alerts:
        for i, name in enumerate(alert.notify):
            if missing(name):
                out.append(_unknown(name, known, _item(alert.spec, i, alert.origin.pos), f"alert {alert.spec.name}"))
    for log in build.catalog.log_alerts:
        for i, name in enumerate(log.notify):
            if missing(name):
                out.append(_unknown(name, known, _item(log.spec, i, log.origin.pos), f"log alert {log.name}"))
    return out


@check("RF010", "ref/rule-file-collision", "A rule group without a service has the name of a service: both would "
                                           "be written to the same rule file.")
def rule_file_collision(build: Build) -> list[Diagnostic]:
    return [Diagnostic("RF010", f"rule group {g.name!r} has no service and is named like service {g.name!r}; both "
                       "would be written to the same rule file", g.origin.pos,
                       hint=f"set metadata.service: {g.name} to put the group in that service's file, or rename it")
            for g in build.catalog.rule_groups if g.service is None and g.name in build.catalog.services]
