"""Rule groups of out/prometheus/*.rules.yaml on a Mimir (or Cortex) ruler, one group per
request (obs.live.mimir), in the namespace `mimir.namespace` (default: the project's name).

Every group of that namespace is this project's: prune deletes the ones out/ no longer has; other
namespaces of the tenant are never read for changes nor touched. The ruler gives groups back
re-marshalled (durations as 1d, fields it does not know dropped), so both sides are compared in
one normal form. Dry run: promtool on each group to be written; Mimir's own limits (rules per
group, groups per tenant) answer only when the group is sent (400, reported with the group).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import yaml

from obs import codes, durations
from obs.apply import Change, Desired, Observed, fingerprint
from obs.apply.local import promtool_check
from obs.apply.pusher import Done, Pusher, PushFailed, register
from obs.diagnostics import Diagnostic, Position
from obs.live.errors import Rejected
from obs.live.mimir import Ruler

REFUSED = codes.define("AP030", "apply/mimir-refused",
                       "The ruler refused a rule group (400): a limit of the tenant or a check promtool does not make.")
DUPLICATE = codes.define("AP031", "apply/mimir-duplicate-group",
                         "Two rule files of out/ have a group of the same name: one Mimir namespace holds one.")

REFUSED_HINT = ("promtool accepts it, so this is the ruler's own check: a per-tenant limit (rules per group, groups "
                "per tenant) or a feature it lacks")

#: group and rule fields obs compares; the ruler may add others (evaluation_delay, ...) or drop empty ones
GROUP_FIELDS = ("name", "interval", "limit", "query_offset", "labels", "source_tenants")
RULE_FIELDS = ("record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations")
DURATIONS = ("interval", "query_offset", "for", "keep_firing_for")


def normal(group: dict) -> dict:
    """A group as compared: known fields only, empty ones dropped, durations in seconds, exprs stripped."""
    def clean(d: dict, fields: tuple[str, ...]) -> dict:
        out = {}
        for k in fields:
            v = d.get(k)
            if k in DURATIONS and v is not None and durations.is_duration(str(v)):
                v = durations.seconds(str(v))
            if v in (None, "", {}, [], 0):
                continue
            if k == "expr":
                v = str(v).strip()
            elif isinstance(v, dict):
                v = {str(a): str(b) for a, b in sorted(v.items())}
            out[k] = v
        return out
    out = clean(group, GROUP_FIELDS)
    out["rules"] = [clean(r, RULE_FIELDS) for r in group.get("rules") or [] if isinstance(r, dict)]
    return out


def dump(doc: Any) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=False, width=120)


@register
class MimirPusher(Pusher):
    target = "mimir"
    kind = "rule group"
    order = 15

    server = "mimir"
    compiled_by = "prometheus"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.spec = ctx.environment.mimir
        self.namespace = ctx.value(self.spec, "namespace") or ctx.name
        self.ruler = Ruler(ctx.clients.session("mimir"), self.spec.rulesPath) if ctx.clients.defined("mimir") else None

    def pos(self):
        return self.spec.pos

    def where(self) -> str:
        url = self.ctx.clients.endpoint("mimir").describe() if self.ruler else "Mimir"
        tenant = self.ctx.clients.endpoint("mimir").headers.get("X-Scope-OrgID") if self.ruler else None
        return f"{url}, namespace {self.namespace!r}" + (f", tenant {tenant!r}" if tenant else "")

    def desired(self) -> dict[str, Desired]:
        out: dict[str, Desired] = {}
        for rel in self.ctx.out.files("prometheus", "prometheus/"):
            origin = f"{self.ctx.out.path.name}/{rel}"
            doc = yaml.safe_load(self.ctx.out.read(rel)) or {}
            for group in doc.get("groups") or []:
                name = str(group.get("name"))
                if name in out:
                    self.ctx.problems.append(Diagnostic(
                        DUPLICATE, f"group {name!r} is in {out[name].origin} and {origin}; Mimir's namespace "
                        f"{self.namespace!r} holds one group of a name", Position(origin), config=True,
                        hint="rename one of the rule groups in the sources"))
                    continue
                body = dump(group)
                out[name] = Desired(name, {"definition": fingerprint(normal(group))}, body, origin, body)
        return out

    def observe(self, wanted: Collection[str]) -> dict[str, Observed]:
        groups = self.ruler.groups().get(self.namespace, [])
        return {str(g.get("name")): Observed(str(g.get("name")), {"definition": fingerprint(normal(g))}, True,
                                             dump(g)) for g in groups}

    def validate(self, changes: list[Change]) -> list[str]:
        files = {f"{c.key}.yaml": dump({"groups": [yaml.safe_load(c.desired.payload)]}).encode("utf-8")
                 for c in changes if c.action in ("create", "update")}
        problems = promtool_check(files)
        if problems is None:
            self.notes.append("promtool is not installed here: the groups were checked by the ruler only")
            return []
        return problems

    def execute(self, changes: list[Change], done: Done) -> None:
        for c in changes:
            try:
                if c.action == "delete":
                    self.ruler.delete_group(self.namespace, c.key)
                else:
                    self.ruler.set_group(self.namespace, c.desired.payload)
            except Rejected as e:
                why = e.body.strip().splitlines()[0][:300] if e.body.strip() else e.message
                raise PushFailed(f"the ruler refused group {c.key!r} of {c.origin or self.namespace}: {why}",
                                 code=REFUSED, hint=REFUSED_HINT) from None
            done(c)
