"""Grafana dashboards through its HTTP API: out/grafana/<uid>.json into the environment's
`grafana.folder` (created when missing), by `POST /api/dashboards/db`.

Never `overwrite`: an update sends the version obs observed, so a dashboard edited in Grafana
after the plan is a 412 version-mismatch (reported, not overwritten), and a same-titled
dashboard in the folder is a 412 name-exists rather than replaced. Ownership is the tag
`obs:<project>`, which apply adds; prune deletes only dashboards carrying it. A dashboard Grafana
provisions from a file is a conflict: the API cannot change it. Grafana keeps the JSON it is
sent, adding `id` and `version`: those (and `iteration`) are left out of the comparison.
`${...}` in a dashboard is a Grafana variable, never filled from the environment.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Collection
from typing import Any

from obs import codes
from obs.apply import Change, Desired, Observed, fingerprint
from obs.apply.pusher import Done, Pusher, PushFailed, register
from obs.live.errors import Conflict, LiveError, NotFound, Rejected, Unauthorized
from obs.live.grafana import Grafana

VERSION_MISMATCH = codes.define("AP020", "apply/grafana-version-mismatch",
                                "A dashboard changed in Grafana after the plan (412 version-mismatch): obs did not "
                                "overwrite it.")
NAME_EXISTS = codes.define("AP021", "apply/grafana-name-exists",
                           "Another dashboard of the folder has the same title (412 name-exists).")
PLUGIN_DASHBOARD = codes.define("AP022", "apply/grafana-plugin-dashboard",
                                "The dashboard at that uid belongs to a Grafana plugin (412 plugin-dashboard).")
PROVISIONED = codes.define("AP023", "apply/grafana-provisioned",
                           "Grafana provisions the dashboard from a file: its HTTP API cannot save or delete it.")
FORBIDDEN = codes.define("AP024", "apply/grafana-forbidden",
                         "Grafana refused a write to the token or user (403): it may read but not write there.")
FOLDER_GONE = codes.define("AP025", "apply/grafana-folder",
                           "The folder the dashboards go to is missing in Grafana or cannot be created.")

DASH, FOLDER = "dashboard/", "folder/"
#: fields Grafana sets on every save: never compared, never shown
SERVER_FIELDS = ("id", "version", "iteration")
ROOT = "General"
PROVISIONED_HINT = ("change it where Grafana provisions it (the sidecar ConfigMap out/kubernetes/grafana-dashboard-"
                    "{uid}.yaml, applied by the kubernetes target), or remove it from the provisioning; drop "
                    "grafana.folder from this environment if Grafana's dashboards come from the sidecar")


def owner_tag(project: str) -> str:
    return f"obs:{project}"


def normal(dashboard: dict) -> dict:
    """The dashboard as compared and shown: without the fields Grafana sets itself."""
    return {k: v for k, v in dashboard.items() if k not in SERVER_FIELDS}


def shown(doc: Any) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def swap_datasource(node: Any, compiled: str, uid: str) -> Any:
    """Every Prometheus `datasource: {uid}` of the compiled uid pointed at this environment's."""
    if isinstance(node, dict):
        ds = node.get("uid") == compiled and node.get("type") in (None, "prometheus") and set(node) <= {"type", "uid"}
        return dict(node, uid=uid) if ds else {k: swap_datasource(v, compiled, uid) for k, v in node.items()}
    if isinstance(node, list):
        return [swap_datasource(v, compiled, uid) for v in node]
    return node


@register
class GrafanaPusher(Pusher):
    target = "grafana"
    kind = "dashboard"
    order = 45

    server = "grafana"
    setting = "folder"
    compiled_by = "grafana"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.spec = ctx.environment.grafana
        self.api = ctx.clients.client("grafana", Grafana) if ctx.clients.defined("grafana") else None
        self.title = ctx.value(self.spec, "folder") or ""
        self.folder_uid = ctx.value(self.spec, "folderUid")
        self.root = self.title.lower() == ROOT.lower() and not self.folder_uid
        self.tag = owner_tag(ctx.name)
        #: the folder's uid once found or created ("" is Grafana's root folder, General)
        self.found: str | None = "" if self.root else None

    def pos(self):
        return self.spec.pos

    def where(self) -> str:
        url = self.ctx.clients.endpoint("grafana").describe() if self.api else "Grafana"
        return f"{url}, folder {self.title!r}"

    @property
    def folder_key(self) -> str:
        return FOLDER + self.title

    def desired(self) -> dict[str, Desired]:
        compiled = self.ctx.project.spec.defaults.grafana.datasource
        swapped = self.ctx.value(self.spec, "datasource")
        out: dict[str, Desired] = {}
        for rel in self.ctx.out.files("grafana", "grafana/"):
            if not rel.endswith(".json"):
                continue
            doc = normal(json.loads(self.ctx.out.text(rel)))
            if swapped and swapped != compiled:
                doc = swap_datasource(doc, compiled, swapped)
            tags = [t for t in doc.get("tags") or [] if isinstance(t, str)]
            doc["tags"] = tags + ([self.tag] if self.tag not in tags else [])
            key = DASH + str(doc["uid"])
            out[key] = Desired(key, {"content": fingerprint(doc), "folder": self.title}, shown(doc),
                               f"{self.ctx.out.path.name}/{rel}", doc)
        if out and not self.root:
            out[self.folder_key] = Desired(self.folder_key, {"exists": "yes"}, self._folder_text(self.folder_uid),
                                           "obs.yaml")
        return out

    def _folder_text(self, uid: str | None) -> str:
        return f"folder {self.title!r}" + (f" (uid {uid})" if uid else "") + "\n"

    # -- what is there ---------------------------------------------------------------------
    def _find_folder(self) -> str | None:
        if self.root:
            return ""
        if self.folder_uid:
            found = self.api.folder(self.folder_uid)
            return str(found["uid"]) if found else None
        return next((str(f["uid"]) for f in self.api.folders(cache=False) if f.get("title") == self.title), None)

    def observe(self, wanted: Collection[str]) -> dict[str, Observed]:
        self.found = self._find_folder()
        out: dict[str, Observed] = {}
        if self.folder_key in wanted and self.found is not None:
            out[self.folder_key] = Observed(self.folder_key, {"exists": "yes"}, True, self._folder_text(self.found))
        uids = {k[len(DASH):] for k in wanted if k.startswith(DASH)}
        uids |= {str(d.get("uid")) for d in self.api.tagged(self.tag) if d.get("uid")}
        for uid in sorted(uids):
            found = self.api.dashboard(uid)
            if found is None:
                continue
            key, dash, meta = DASH + uid, found["dashboard"], found.get("meta") or {}
            owned = self.tag in (dash.get("tags") or [])
            provisioned = bool(meta.get("provisioned"))
            if key not in wanted and (not owned or provisioned):
                continue  # not obs's to delete
            in_ours = self.found is not None and str(meta.get("folderUid") or "") == self.found
            folder = self.title if in_ours else f"{meta.get('folderTitle') or ROOT} ({meta.get('folderUid') or ''})"
            conflict = hint = None
            if provisioned:
                conflict = (f"is provisioned by Grafana from {meta.get('provisionedExternalId') or 'a file'}: its "
                            "HTTP API cannot change it")
                hint = PROVISIONED_HINT.format(uid=uid)
            out[key] = Observed(key, {"content": fingerprint(normal(dash)), "folder": folder}, owned,
                                shown(normal(dash)), {"version": dash.get("version")}, conflict, hint)
        return out

    # -- apply -------------------------------------------------------------------------------
    def execute(self, changes: list[Change], done: Done) -> None:
        """The folder first, then the dashboards into it; deletes last (the executor's order)."""
        for c in sorted(changes, key=lambda c: not c.key.startswith(FOLDER)):
            if c.key.startswith(FOLDER):
                self.found = self._create_folder()
            elif c.action == "delete":
                self._guarded(c, self._delete, c.key[len(DASH):])
            else:
                body = copy.deepcopy(c.desired.payload)
                body["id"] = None
                if c.action == "update" and c.observed is not None and c.observed.handle.get("version") is not None:
                    body["version"] = c.observed.handle["version"]
                self._guarded(c, self.api.save, body, self.found or "", f"obs apply (project {self.ctx.name})")
            done(c)

    def _create_folder(self) -> str:
        try:
            return str(self.api.create_folder(self.title, self.folder_uid)["uid"])
        except Conflict:  # created meanwhile (409): use it
            found = self._find_folder()
            if found is None:
                raise PushFailed(f"Grafana says folder {self.title!r} exists, but obs cannot find it", code=FOLDER_GONE,
                                 hint="a folder of that uid may have another title: set grafana.folderUid, or "
                                      "rename the folder") from None
            return found
        except Unauthorized as e:
            raise PushFailed(f"Grafana refused to create folder {self.title!r} ({e.status}: the token may not create "
                             "folders)", code=FORBIDDEN, hint="create the folder in Grafana, or give the service "
                             "account the folders:create permission") from None

    def _delete(self, uid: str) -> None:
        try:
            self.api.delete(uid)
        except NotFound:
            pass  # gone already: what prune wanted

    def _guarded(self, c: Change, write, *args) -> None:
        """A write, with Grafana's refusals worded for people: what happened, and what to do."""
        uid = c.key[len(DASH):]
        try:
            write(*args)
        except LiveError as e:
            failure = self._refusal(uid, e)
            if failure is None:
                raise
            raise failure from None

    def _refusal(self, uid: str, e: LiveError) -> PushFailed | None:
        body = _json(e.body)
        status, message = str(body.get("status") or ""), str(body.get("message") or e.body[:200])
        if isinstance(e, Conflict) and status == "version-mismatch":
            return PushFailed(f"dashboard {uid} was changed in Grafana after the plan (412 version-mismatch); obs "
                              "did not overwrite it", code=VERSION_MISMATCH,
                              hint="run `obs diff -v` to see the change, then apply again (out/ replaces it)")
        if isinstance(e, Conflict) and status == "name-exists":
            return PushFailed(f"dashboard {uid}: another dashboard in folder {self.title!r} has the same title "
                              "(412 name-exists)", code=NAME_EXISTS,
                              hint="rename one of them (the title in the sources), or move the other dashboard")
        if isinstance(e, Conflict) and status == "plugin-dashboard":
            return PushFailed(f"dashboard {uid} belongs to a Grafana plugin (412 plugin-dashboard): {message}",
                              code=PLUGIN_DASHBOARD, hint="give obs's dashboard another uid in the sources")
        if isinstance(e, Rejected) and "provisioned" in message.lower():
            return PushFailed(f"dashboard {uid}: {message} (Grafana provisions it from a file)", code=PROVISIONED,
                              hint=PROVISIONED_HINT.format(uid=uid))
        if isinstance(e, Rejected | NotFound) and "folder" in message.lower() and "not found" in message.lower():
            return PushFailed(f"dashboard {uid}: folder {self.title!r} no longer exists in Grafana", code=FOLDER_GONE,
                              hint="run apply again: it creates the folder")
        if isinstance(e, Unauthorized) and e.status == 403:
            return PushFailed(f"Grafana refused to write dashboard {uid} into folder {self.title!r} (403: the token "
                              "may read but not write there)", code=FORBIDDEN,
                              hint="give the service account the Editor role, or edit permission on the folder")
        return None


def _json(text: str) -> dict:
    try:
        doc = json.loads(text)
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}
