"""OpenSearch Alerting monitors and the Notifications channels they send to.

Channels (out/opensearch-notifications/<config id>.json, secrets filled now) are created before
the monitors that name them and deleted after them. Monitors get server-chosen ids, so they are
keyed by name (`<project>-<alert>`); an update sends `if_seq_no`/`if_primary_term`, so a monitor
changed meanwhile is a conflict, not an overwrite. Both are re-rendered by the server, so obs
records what it applied (the digests of out/'s body and of the filled values) and compares
those: in `ui_metadata.obs.applied` for monitors, at the end of the description for channels.
Ownership: `ui_metadata.obs.project`; a description starting "obs project <name>,".
Dry run: each monitor is run once inline with `?dryrun=true` (nothing is sent).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection

from obs.apply import Change, Desired, Observed
from obs.apply.pusher import Done, Pusher, register
from obs.apply.targets.elasticsearch import applied_parts, shown, without
from obs.live.alerting import Alerting, Notifications
from obs.logs.notifications import FOLDER

MON, CHAN = "monitor/", "channel/"
_APPLIED = re.compile(r" \[obs ([0-9a-f]+)(?:/([0-9a-f]+))?\]$")


#: fields the server adds to a monitor it renders: left out of what `diff -v` shows
SERVER_FIELDS = ("data_sources", "enabled_time", "last_update_time", "owner", "schema_version", "user",
                 "associated_workflows")


def _as_sent(mon: dict) -> dict:
    """A rendered monitor without the server's own fields and the ids it gave triggers and actions."""
    out = {k: v for k, v in without(mon, "ui_metadata", "obs", "applied").items() if k not in SERVER_FIELDS}
    for trigger in out.get("triggers") or []:
        for body in trigger.values() if isinstance(trigger, dict) else []:
            if isinstance(body, dict):
                body.pop("id", None)
                for action in body.get("actions") or []:
                    if isinstance(action, dict):
                        action.pop("id", None)
    return out


def _mark(parts: dict[str, str]) -> str:
    return f" [obs {parts['definition']}" + (f"/{parts['values']}" if "values" in parts else "") + "]"


@register
class OpenSearchPusher(Pusher):
    target = "opensearch"
    kind = "monitor or channel"
    order = 35

    server = "opensearch"
    compiled_by = "opensearch-monitor"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.spec = ctx.environment.opensearch
        live = ctx.clients.defined("opensearch")
        self.alerting = ctx.clients.client("opensearch", Alerting) if live else None
        self.channels = ctx.clients.client("opensearch", Notifications) if live else None
        self._templates: dict[str, dict] = {}
        self.prefix = f"obs project {ctx.name},"

    def pos(self):
        return self.spec.pos

    def where(self) -> str:
        return self.ctx.clients.endpoint("opensearch").describe() if self.alerting else "OpenSearch"

    def desired(self) -> dict[str, Desired]:
        out = {}
        for rel in self.ctx.out.files("opensearch-monitor"):
            kind = CHAN if rel.startswith(FOLDER + "/") else MON if rel.startswith("opensearch/") else None
            if kind is None:
                continue
            text = self.ctx.out.text(rel)
            template = json.loads(text)
            origin = f"{self.ctx.out.path.name}/{rel}"
            filled, missing = self.ctx.secrets.fill_json(template)
            self.ctx.missing(missing, origin)
            parts = applied_parts(template, self.ctx.secrets, text)
            if kind == MON:
                key = MON + str(template["name"])
                filled.setdefault("ui_metadata", {}).setdefault("obs", {})["applied"] = parts
                self._templates[key] = template
            else:
                key = CHAN + str(template["config_id"])
                filled["config"]["description"] += _mark(parts)
                self._templates[key] = template["config"]
            out[key] = Desired(key, parts, shown(template if kind == MON else template["config"]), origin, filled)
        return out

    def observe(self, wanted: Collection[str]) -> dict[str, Observed]:
        out: dict[str, Observed] = {}
        for m in self.alerting.monitors():
            mon = m["monitor"]
            meta = (mon.get("ui_metadata") or {}).get("obs") or {}
            owned = isinstance(meta, dict) and meta.get("project") == self.ctx.name
            key = MON + str(mon.get("name"))
            if key in out:  # a second monitor of the same name: its own key, so it can be pruned
                key = f"{key} ({m['_id']})"
            if not owned and key not in wanted:
                continue
            applied = meta.get("applied") if owned and isinstance(meta.get("applied"), dict) else {}
            view = self.ctx.secrets.mask(_as_sent(mon), self._templates.get(key))
            out[key] = Observed(key, {k: str(v) for k, v in applied.items()} or {"definition": "unknown"}, owned,
                                shown(view), (m["_id"], m.get("_seq_no"), m.get("_primary_term")))
        for c in self.channels.configs():
            key, config = CHAN + str(c.get("config_id")), c.get("config") or {}
            text = str(config.get("description") or "")
            owned = text.startswith(self.prefix)
            if not owned and key not in wanted:
                continue
            found = _APPLIED.search(text) if owned else None
            parts = {"definition": found.group(1), **({"values": found.group(2)} if found.group(2) else {})} \
                if found else {"definition": "unknown"}
            view = dict(config, description=_APPLIED.sub("", text))
            out[key] = Observed(key, parts, owned, shown(self.ctx.secrets.mask(view, self._templates.get(key))),
                                c.get("config_id"))
        return out

    def validate(self, changes: list[Change]) -> list[str]:
        problems = []
        for c in changes:
            if c.action not in ("create", "update") or not c.key.startswith(MON):
                continue
            result = self.alerting.dry_run(c.desired.payload)
            errors = [result.get("error"), (result.get("input_results") or {}).get("error")]
            errors += [t.get("error") for t in (result.get("trigger_results") or {}).values() if isinstance(t, dict)]
            for e in (e for e in errors if e):
                problems.append(f"monitor {c.key[len(MON):]}: OpenSearch could not run it: {str(e)[:300]}")
        return [self.ctx.secrets.scrub(p) for p in problems]

    def execute(self, changes: list[Change], done: Done) -> None:
        """Channels first, then monitors; deletes of monitors, then of the channels they used."""
        def phase(kind: str, delete: bool) -> list[Change]:
            return [c for c in changes if c.key.startswith(kind) and (c.action == "delete") == delete]
        for c in phase(CHAN, False) + phase(MON, False) + phase(MON, True) + phase(CHAN, True):
            self._one(c)
            done(c)

    def _one(self, c: Change) -> None:
        if c.key.startswith(CHAN):
            cid = c.key[len(CHAN):] if c.action != "delete" else c.observed.handle
            if c.action == "create":
                self.channels.create(c.desired.payload)
            elif c.action == "update":
                self.channels.update(cid, c.desired.payload["config"])
            else:
                self.channels.delete(cid)
            return
        if c.action == "create":
            self.alerting.create(c.desired.payload)
            return
        monitor_id, seq, term = c.observed.handle
        if c.action == "update":
            self.alerting.update(monitor_id, c.desired.payload, seq, term)
        else:
            self.alerting.delete(monitor_id)
