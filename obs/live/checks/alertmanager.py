"""The compiled Alertmanager config is accepted and every receiver can be reached.

"Accepted" means what a reload would need: `amtool check-config` (Alertmanager's own parser)
passes on out/alertmanager/alertmanager.yaml, and the running server (`/api/v2/status`) is
recent enough for every field the config uses. Receivers are checked on the route tree
itself: a channel whose receiver no route can deliver to never gets a notification.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import yaml

from obs import codes
from obs.diagnostics import Diagnostic, Position, Severity
from obs.live import live_check
from obs.live.alertmanager import Alertmanager, CheckResult, check_config
from obs.live.routing import reach

if TYPE_CHECKING:
    from obs.live.clients import Clients
    from obs.pipeline import Build

COMPILED = "alertmanager/alertmanager.yaml"
DEFAULT_RECEIVER = "obs-default"  # obs's own no-op receiver (obs.targets.alertmanager)
#: config keys → the first Alertmanager release that reads them (its CHANGELOG)
FEATURES: dict[str, tuple[int, int, int]] = {
    "matchers": (0, 22, 0), "source_matchers": (0, 22, 0), "target_matchers": (0, 22, 0),
    "api_url_file": (0, 22, 0), "time_intervals": (0, 24, 0), "active_time_intervals": (0, 24, 0),
    "telegram_configs": (0, 24, 0), "auth_password_file": (0, 25, 0), "routing_key_file": (0, 25, 0),
    "service_key_file": (0, 25, 0), "discord_configs": (0, 25, 0), "webex_configs": (0, 25, 0),
    "url_file": (0, 26, 0), "msteams_configs": (0, 26, 0),
}
CLUSTER = codes.define("LV033", "alertmanager/cluster", "The Alertmanager cluster is still settling: peers may not "
                       "share silences and notifications yet (info).")


def _compiled(build: Build) -> str | None:
    return next((a.content.decode() for a in build.artifacts if a.path == COMPILED), None)


def _project_pos(build: Build) -> Position:
    defaults = build.project.spec.defaults
    return defaults.pos_of("alertmanager") or build.project.spec.pos_of("defaults") or Position("obs.yaml")


def _channel_pos(build: Build, name: str | None) -> Position:
    ch = build.catalog.channels.get(name or "")
    return (ch.origin.pos if ch is not None else None) or _project_pos(build)


def _culprit(build: Build, text: str) -> Position:
    """The channel (and field) an amtool message is about — by the receiver name, a matcher or a
    group_by label it quotes — else obs.yaml's Alertmanager defaults."""
    for name, ch in build.catalog.channels.items():
        s = ch.spec
        for field, tokens in (("match", [f'{k}="{v}"' for k, v in s.match.items()]),
                              ("groupBy", [f'"{g}"' for g in s.groupBy or []]),
                              ("type", [f'"{name}"', f"'{name}'"])):
            if any(tok in text for tok in tokens):
                return (s.pos_of(field) if field != "type" else None) or _channel_pos(build, name)
    return _project_pos(build)


@live_check("LV030", "alertmanager/check-config", "amtool check-config (Alertmanager's own parser) refuses the "
            "compiled Alertmanager config.", servers=("alertmanager",))
def accepted(build: Build, clients: Clients) -> list[Diagnostic]:
    text = _compiled(build)
    if text is None:
        return []  # the alertmanager target is not compiled: nothing to check
    result = _checked(clients, text)
    if result is None:
        return [Diagnostic("LV030", "amtool is not installed: the compiled Alertmanager config was not checked with "
                           "Alertmanager's parser", _project_pos(build), Severity.WARNING,
                           "install amtool (Debian: prometheus-alertmanager) where obs validate runs")]
    return [Diagnostic("LV030", f"{COMPILED}: amtool check-config refuses it: {p}",
                       _culprit(build, p)) for p in result.problems]


def _checked(clients: Clients, text: str) -> CheckResult | None:
    """amtool's verdict on the compiled config, once per run."""
    am: Alertmanager = clients.client("alertmanager", Alertmanager)
    if text not in am.memo:
        am.memo[text] = check_config(text)
    return am.memo[text]


def _keys(node: Any, receiver: str | None = None) -> Iterator[tuple[str, str | None]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield str(k), receiver
            yield from _keys(v, receiver)
    elif isinstance(node, list):
        for item in node:
            inner = item.get("name") if isinstance(item, dict) and receiver is None and "name" in item else receiver
            yield from _keys(item, inner)


@live_check("LV031", "alertmanager/version", "The running Alertmanager is older than a field of the compiled "
            "config needs: a reload would refuse it.", servers=("alertmanager",))
def server_version(build: Build, clients: Clients) -> list[Diagnostic]:
    text = _compiled(build)
    am: Alertmanager = clients.client("alertmanager", Alertmanager)
    status = am.status()
    out = []
    cluster = status.get("cluster") or {}
    if cluster.get("status") == "settling":
        out.append(Diagnostic(CLUSTER, f"alertmanager: the cluster is settling (peers: "
                              f"{len(cluster.get('peers') or [])}): it started moments ago, or peers cannot reach "
                              "each other",
                              clients.endpoint("alertmanager").pos, Severity.INFO))
    running = am.version()
    if text is None or running is None:
        return out
    shown = ".".join(map(str, running))
    config = yaml.safe_load(text) or {}
    seen: set[str] = set()
    for key, receiver in _config_keys(config):
        need = FEATURES.get(key)
        if need is None or running >= need or key in seen:
            continue
        seen.add(key)
        out.append(Diagnostic("LV031", f"{COMPILED} uses {key}, which Alertmanager reads from "
                              f"{'.'.join(map(str, need))}; the server runs {shown}", _channel_pos(build, receiver),
                              hint="upgrade Alertmanager, or leave out what needs the newer release"))
    checked = _checked(clients, text)
    tool = checked.tool_version if checked is not None else None
    if tool is not None and tool[:2] != running[:2]:
        out.append(Diagnostic("LV031", f"{COMPILED} was checked with amtool {'.'.join(map(str, tool))}; the server "
                              f"runs {shown}", clients.endpoint("alertmanager").pos, Severity.INFO))
    return out


def _config_keys(config: dict) -> Iterator[tuple[str, str | None]]:
    """Every key of the config, with the receiver it is inside (None outside receivers)."""
    for key, value in config.items():
        yield str(key), None
        if key == "receivers" and isinstance(value, list):
            for r in value:
                if isinstance(r, dict):
                    yield from _keys(r, str(r.get("name")))
        else:
            yield from _keys(value)


@live_check("LV032", "alertmanager/unreachable-receiver", "A receiver of the compiled config is reached by no "
            "route: its channel never gets a notification.", servers=("alertmanager",))
def receivers(build: Build, clients: Clients) -> list[Diagnostic]:
    text = _compiled(build)
    if text is None:
        return []
    config = yaml.safe_load(text) or {}
    found = reach(config.get("route") or {})
    out = []
    for r in config.get("receivers") or []:
        name = r.get("name") if isinstance(r, dict) else None
        if not name or name in found.reached or name == DEFAULT_RECEIVER:
            continue
        why = found.blocked.get(name) or ("no route names it: the channel has no `match:` and no alert, SLO or "
                                          "log alert lists it in notify:")
        out.append(Diagnostic("LV032", f"channel {name}: no alert can reach its receiver: {why}",
                              _channel_pos(build, name), hint="give the channel a `match:` (e.g. {team: payments}) "
                              "or name it in the `notify:` of the alerts it is for"))
    return out
