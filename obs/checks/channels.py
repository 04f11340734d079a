"""Channel checks for Alertmanager routing: a default receiver that is no channel, teams whose
metric alerts reach no channel, and `match:` team values no team has (a typo silently drops)."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from obs.alertmanager.routes import sources
from obs.checks import check
from obs.diagnostics import Diagnostic, Position, Severity
from obs.load.yamlpos import PosDict

if TYPE_CHECKING:
    from obs.pipeline import Build


def _teams(build: Build) -> set[str]:
    return {s.team for s in sources(build.catalog).sources if s.team} | \
           {svc.team for svc in build.catalog.services.values()}


@check("AM002", "alertmanager/default-receiver", "defaults.alertmanager.receiver names no Channel.")
def default_receiver(build: Build) -> list[Diagnostic]:
    d = build.catalog.defaults.alertmanager
    if d.receiver is None or d.receiver in build.catalog.channels or build.defs.may_define("Channel", d.receiver):
        return []
    known = sorted(build.catalog.channels)
    close = difflib.get_close_matches(d.receiver, known, n=1, cutoff=0.6)
    return [Diagnostic("AM002", f"defaults.alertmanager.receiver names {d.receiver!r}, which no Channel defines",
                       d.pos_of("receiver"), hint=f"did you mean '{close[0]}'?" if close else
                       f"channels: {', '.join(known)}" if known else "define it as a `kind: Channel` document")]


@check("AM003", "alertmanager/unrouted-team", "A team's metric alerts reach no channel: no Channel matches the "
                                              "team and none is named in `notify:` (they go to the default receiver).")
def unrouted_teams(build: Build) -> list[Diagnostic]:
    catalog = build.catalog
    if "alertmanager" not in catalog.project.spec.targets or catalog.defaults.alertmanager.receiver \
            or build.defs.incomplete("Channel"):
        return []  # a channel that failed to load might route them: its own error says enough
    out = []
    by_team: dict[str, list] = {}
    for src in sources(catalog).sources:
        if src.team and src.kind in ("alertname", "slo", "group"):
            by_team.setdefault(src.team, []).append(src)
    for team, srcs in sorted(by_team.items()):
        reached = any(ch.spec.match and all(v == team if k == "team" else True for k, v in ch.spec.match.items())
                      for ch in catalog.channels.values())
        if reached or any(n in catalog.channels for s in srcs for n in s.notify):
            continue
        names = sorted({f"{s.service}/{s.name}" if s.service else s.name for s in srcs})
        pos = _position(build, team, srcs)
        out.append(Diagnostic("AM003", f"alerts of team {team!r} reach no channel ({', '.join(names[:4])}"
                              f"{', …' if len(names) > 4 else ''})", pos, Severity.WARNING,
                              hint=f"add a Channel with `match: {{team: {team}}}` or set defaults.alertmanager.receiver"))
    return out


def _position(build: Build, team: str, srcs: list) -> Position | None:
    """Where the team is written (a service's or rule group's `metadata.team`), so that the line a person
    edits, and a `# obs: disable=AM003` beside it, is the one the finding names."""
    for doc, _ in [*build.defs.services, *build.defs.rule_groups]:
        if doc.metadata.team == team and any(s.service == doc.metadata.name or s.name == doc.metadata.name
                                             for s in srcs):
            return doc.metadata.pos_of("team")
    first = srcs[0]  # an alert whose own `labels.team` names the team
    item = next((a for a in build.catalog.alerts if a.service == first.service and a.spec.name == first.name), None)
    labels = item.spec._source.get("labels") if item is not None and item.spec._source is not None else None
    if isinstance(labels, PosDict):
        return labels.where("team")
    svc = build.catalog.services.get(first.service or "")
    return item.origin.pos if item else svc.origin.pos if svc else None


@check("AM004", "channel/unknown-team", "A channel's `match:` names a team that no service, rule group or alert has.")
def unknown_team(build: Build) -> list[Diagnostic]:
    if build.defs.unloaded:
        return []  # the team may be that of a file that did not load
    # teams as written too: a service that fails its schema still names its team
    written = {d.data["metadata"].get("team") for d in build.sources.documents
               if isinstance(d.data.get("metadata"), dict)}
    teams = sorted(_teams(build) | {t for t in written if isinstance(t, str)})
    out = []
    for ch in build.catalog.channels.values():
        team = ch.spec.match.get("team")
        if team is not None and team not in teams:
            close = difflib.get_close_matches(team, teams, n=1, cutoff=0.6)
            src = ch.spec._source.get("match") if ch.spec._source is not None else None
            pos = src.val_pos.get("team") if src is not None and hasattr(src, "val_pos") else None
            out.append(Diagnostic("AM004", f"channel {ch.name!r} matches team {team!r}, which no service or alert has",
                                  pos or ch.spec.pos_of("match"), Severity.WARNING,
                                  hint=f"did you mean '{close[0]}'?" if close else f"teams: {', '.join(teams)}"))
    return out
