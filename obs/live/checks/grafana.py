"""Grafana: every datasource a compiled dashboard queries exists there with the type the
panels expect, and the folder the sidecar files them into exists. A wrong uid shows in
Grafana only as empty panels ("datasource not found"), long after the deploy."""

from __future__ import annotations

import json
from collections.abc import Iterator

from obs import codes
from obs.dashboards.walk import resolve_datasource, variables
from obs.diagnostics import Diagnostic, Position
from obs.live import live_check
from obs.live.clients import Clients
from obs.live.environment import _value
from obs.live.grafana import Grafana

#: uids Grafana resolves itself, never stored as datasources
BUILTIN = frozenset({"grafana", "-- Grafana --", "-- Mixed --", "-- Dashboard --", "dashboard"})

WRONG_TYPE = codes.define("LV061", "live/grafana-datasource-type",
                          "A dashboard expects a datasource of one type at a uid Grafana holds one of another.")


def references(node, defined: dict[str, dict] | None = None) -> Iterator[tuple[str, str | None]]:
    """(uid, type) of every `datasource: {uid, type}` in a dashboard. A datasource variable
    (`${datasource}`) is the uid it opens with, its current value; other variables and
    Grafana's built-in sources are not datasources to look up."""
    if defined is None:
        defined = variables(node) if isinstance(node, dict) else {}
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "datasource" and isinstance(value, dict) and isinstance(value.get("uid"), str):
                uid = value["uid"]
                if uid.startswith(("$", "[[")):
                    resolved = resolve_datasource(uid, defined)
                    if resolved is not None:
                        yield resolved[0], value.get("type") or resolved[1]
                elif uid and uid not in BUILTIN:
                    yield uid, value.get("type")
            else:
                yield from references(value, defined)
    elif isinstance(node, list):
        for value in node:
            yield from references(value, defined)


def _override(build, clients: Clients, problems: list[Diagnostic]) -> tuple[str | None, Position | None]:
    """The environment's grafana.datasource (apply swaps it in for the compiled uid)."""
    env = build.project.spec.environments.get(clients.env.name)
    server = env.grafana if env is not None else None
    if server is None or server.datasource is None:
        return None, None
    pos = server.pos_of("datasource")
    return _value(server.datasource, pos, problems), pos


@live_check("LV060", "live/grafana-datasource",
            "A dashboard queries a datasource uid Grafana does not have.",
            servers=("grafana",))
def datasources(build, clients: Clients):
    grafana: Grafana = clients.client("grafana", Grafana)
    compiled = build.catalog.defaults.grafana.datasource
    unset: list[Diagnostic] = []
    swapped, swapped_pos = _override(build, clients, unset)
    if unset:  # checking the compiled uid instead would check what this environment never sees
        yield from unset
        return
    seen: set[tuple[str, str]] = set()
    for art in sorted((a for a in build.artifacts if a.target == "grafana" and a.path.startswith("grafana/")
                       and a.path.endswith(".json")), key=lambda a: a.path):
        pos = next((o.pos for o in art.sources if o.pos is not None), None)
        for uid, kind in references(json.loads(art.content)):
            where = pos
            if swapped and uid == compiled and kind in (None, "prometheus"):
                uid, where = swapped, swapped_pos
            if (art.path, uid) in seen:
                continue
            seen.add((art.path, uid))
            found = grafana.datasource(uid)
            name = art.path.removeprefix("grafana/")
            if found is None:
                setting = ("defaults.grafana.logsDatasource" if kind == "elasticsearch" else
                           "defaults.grafana.datasource (or the environment's grafana.datasource)")
                yield Diagnostic("LV060", f"dashboard {name} queries datasource uid {uid!r}, which Grafana "
                                 f"does not have", where, hint=f"set {setting} to the uid shown in Grafana's "
                                 "datasource page")
            elif kind and found.get("type") != kind:
                yield Diagnostic(WRONG_TYPE, f"dashboard {name} expects a {kind} datasource at uid {uid!r}, but "
                                 f"it is {found.get('type')!r} ({found.get('name', '?')})", where)


@live_check("LV062", "live/grafana-folder", "The Grafana folder the dashboards are filed into does not exist.",
            servers=("grafana",))
def folder(build, clients: Clients):
    settings = build.catalog.defaults.grafana
    if not any(a.target == "grafana" for a in build.artifacts):
        return
    title = settings.folder or build.catalog.name
    if title not in clients.client("grafana", Grafana).folder_titles():
        pos = settings.pos_of("folder") if settings.folder else build.project.spec.pos_of("defaults")
        yield Diagnostic("LV062", f"Grafana has no folder {title!r}, where the sidecar files the dashboards",
                         pos, hint="create the folder, or set defaults.grafana.folder to an existing one "
                         "(the sidecar creates it only with foldersFromFilesStructure)")
