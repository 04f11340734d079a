"""Elasticsearch Watcher: out/watcher/<id>.json as `PUT _watcher/watch/<id>`, with `${VAR}`
placeholders filled just before the request (never in out/).

Watcher answers a watch re-rendered from what it parsed (a webhook `url` comes back as
scheme/host/port/path; defaults appear), so obs does not compare bodies: it stores what it
applied in the watch's own metadata, `metadata.obs.applied` = {definition, values} — the digest
of out/'s body and of the values filled in — and compares those. The values digest reveals
nothing the watch does not hold in clear itself. Ownership is `metadata.obs.project`.
Dry run: the execute API runs each watch given inline with every action skipped.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Collection

from obs.apply import Change, Desired, Observed, fingerprint
from obs.apply.pusher import Done, Pusher, register
from obs.live.alerting import Watcher
from obs.logs.secrets import placeholders


def applied_parts(template: dict, secrets, origin_text: str) -> dict[str, str]:
    """What obs records on the server about a body it applied: the digest of the definition and
    (when it has placeholders) of the values filled into it."""
    parts = {"definition": fingerprint(template)}
    names = placeholders(origin_text)
    if names:
        parts["values"] = fingerprint({n: secrets.lookup(n) for n in names})
    return parts


def shown(doc: dict) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def without(doc: dict, *path: str) -> dict:
    """A copy of doc without the key at path (the digest obs adds is not part of what is shown)."""
    out = copy.deepcopy(doc)
    node = out
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            return out
    node.pop(path[-1], None)
    return out


@register
class ElasticsearchPusher(Pusher):
    target = "elasticsearch"
    kind = "watch"
    order = 30

    server = "elasticsearch"
    compiled_by = "watcher"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.spec = ctx.environment.elasticsearch
        self.api = ctx.clients.client("elasticsearch", Watcher) if ctx.clients.defined("elasticsearch") else None
        self._templates: dict[str, dict] = {}

    def pos(self):
        return self.spec.pos

    def where(self) -> str:
        return self.ctx.clients.endpoint("elasticsearch").describe() if self.api else "Elasticsearch"

    def desired(self) -> dict[str, Desired]:
        out = {}
        for rel in self.ctx.out.files("watcher", "watcher/"):
            text = self.ctx.out.text(rel)
            template = json.loads(text)
            key = rel.rsplit("/", 1)[-1][:-len(".json")]
            origin = f"{self.ctx.out.path.name}/{rel}"
            filled, missing = self.ctx.secrets.fill_json(template)
            self.ctx.missing(missing, origin)
            parts = applied_parts(template, self.ctx.secrets, text)
            filled.setdefault("metadata", {}).setdefault("obs", {})["applied"] = parts
            self._templates[key] = template
            out[key] = Desired(key, parts, shown(template), origin, filled)
        return out

    def observe(self, wanted: Collection[str]) -> dict[str, Observed]:
        out = {}
        for w in self.api.query(self.ctx.name, list(wanted)):
            key, watch = str(w.get("_id")), w.get("watch") or {}
            obs_meta = (watch.get("metadata") or {}).get("obs") or {}
            owned = isinstance(obs_meta, dict) and obs_meta.get("project") == self.ctx.name
            applied = obs_meta.get("applied") if owned and isinstance(obs_meta.get("applied"), dict) else {}
            parts = {k: str(v) for k, v in applied.items()} or {"definition": "unknown"}
            view = self.ctx.secrets.mask(without(watch, "metadata", "obs", "applied"), self._templates.get(key))
            out[key] = Observed(key, parts, owned, shown(view), (w.get("_seq_no"), w.get("_primary_term")))
        return out

    def validate(self, changes: list[Change]) -> list[str]:
        problems = []
        for c in changes:
            if c.action not in ("create", "update"):
                continue
            record = self.api.execute(c.desired.payload).get("watch_record") or {}
            result = record.get("result") or {}
            for part in ("input", "condition", "transform"):
                r = result.get(part) or {}
                if r.get("status") == "failure":
                    problems.append(f"watch {c.key}: the {part} fails on Elasticsearch: {_reason(r)}")
            if record.get("state") == "failed" and not problems:
                problems.append(f"watch {c.key}: Elasticsearch could not run it: {_reason(record)}")
        return [self.ctx.secrets.scrub(p) for p in problems]

    def execute(self, changes: list[Change], done: Done) -> None:
        for c in changes:
            if c.action == "delete":
                continue
            seq, term = c.observed.handle if c.observed is not None and c.observed.handle else (None, None)
            self.api.put(c.key, c.desired.payload, seq if c.action == "update" else None, term)
            done(c)
        for c in changes:
            if c.action == "delete":
                self.api.delete(c.key)
                done(c)


def _reason(r: dict) -> str:
    reason = r.get("reason") or r.get("exception") or r.get("messages") or "no reason given"
    if isinstance(reason, dict):
        reason = reason.get("reason") or reason.get("type") or json.dumps(reason)[:300]
    if isinstance(reason, list):
        reason = "; ".join(map(str, reason))[:300]
    return str(reason)[:300]
