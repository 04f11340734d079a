"""The Kubernetes API as apply uses it: REST paths from discovery, GET/list/server-side apply/
delete of any kind, and the API server's refusals worded as one line each.

Paths come from discovery (`GET /api/v1`, `GET /apis/<group>/<version>`: an APIResourceList
naming each kind's plural and whether it is namespaced), so kinds other outputs add need no table
here. A group/version or kind the cluster does not serve is a missing CRD, named. Writes are
server-side apply (https://kubernetes.io/docs/reference/using-api/server-side-apply/): `PATCH`
with `Content-Type: application/apply-patch+yaml` and `fieldManager=obs`; the body is JSON,
which is YAML too (kubectl sends JSON the same way).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from obs import codes
from obs.live.checks.kubernetes import PLURALS
from obs.live.errors import Conflict, LiveError, NotFound, Rejected, Unauthorized
from obs.live.http import Session

KIND_MISSING = codes.define("AP010", "apply/kubernetes-kind-missing",
                            "A kind in out/kubernetes is not served by the cluster (its CRD is not installed).")
FORBIDDEN = codes.define("AP011", "apply/kubernetes-forbidden",
                         "The Kubernetes API server refused obs's user (RBAC) a read obs needs to plan.")
APPLY = "application/apply-patch+yaml"
MANAGER = "obs"


class KubeRefused(LiveError):
    """A refusal worded for people, with its own code and hint (missing CRD, RBAC)."""

    def __init__(self, code: str, message: str, hint: str | None = None, status: int | None = None,
                 fatal: bool = True) -> None:
        super().__init__("kubernetes", message, status)
        self.code, self.hint, self.fatal = code, hint, fatal


@dataclass(frozen=True)
class Resource:
    """Where a kind lives in the REST API."""

    api_version: str
    kind: str
    plural: str
    namespaced: bool

    def path(self, namespace: str | None, name: str | None = None) -> str:
        group, _, version = self.api_version.rpartition("/")
        base = f"/apis/{group}/{version}" if group else f"/api/{version}"
        ns = f"/namespaces/{namespace}" if self.namespaced and namespace else ""
        return f"{base}{ns}/{self.plural}" + (f"/{name}" if name else "")


def crd_name(api_version: str, kind: str) -> str:
    group = api_version.rpartition("/")[0]
    return f"{PLURALS.get(kind, kind.lower() + 's')}.{group}"


class KubeApi:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._resources: dict[tuple[str, str], Resource] = {}

    # -- discovery -----------------------------------------------------------------------------
    def resource(self, api_version: str, kind: str) -> Resource:
        """The kind's REST resource; KubeRefused(AP010) when the cluster does not serve it."""
        known = self._resources.get((api_version, kind))
        if known is not None:
            return known
        group, _, version = api_version.rpartition("/")
        path = f"/apis/{group}/{version}" if group else f"/api/{version}"
        try:
            doc = self.session.get_json(path)
        except NotFound:
            doc = None
        except Unauthorized as e:
            raise forbidden(e, f"discover {api_version}") from None
        for r in (doc or {}).get("resources") or []:
            if isinstance(r, dict) and "/" not in str(r.get("name")) and r.get("kind"):
                self._resources.setdefault((api_version, r["kind"]), Resource(api_version, r["kind"], r["name"],
                                                                               bool(r.get("namespaced"))))
        found = self._resources.get((api_version, kind))
        if found is None:
            if not group:
                raise KubeRefused(KIND_MISSING, f"the cluster does not serve {kind} ({api_version})")
            served = "does not serve" if doc is None else "serves " + api_version + " but not the kind"
            raise KubeRefused(KIND_MISSING, f"the cluster {served} {api_version} {kind}: CRD "
                              f"{crd_name(api_version, kind)} is not installed (or not at this version)",
                              hint=f"install the operator that defines {kind}, or drop the target that compiles it")
        return found

    def serves(self, api_version: str, kind: str) -> Resource | None:
        try:
            return self.resource(api_version, kind)
        except KubeRefused as e:
            if e.code == KIND_MISSING:
                return None
            raise

    # -- reads (never cached: apply observes twice and must see what changed) --------------------
    def get(self, res: Resource, namespace: str | None, name: str) -> dict | None:
        path = res.path(namespace, name)
        try:
            r = self.session.get(path, cache=False, ok=(404,))
        except Unauthorized as e:
            raise forbidden(e, f"read {res.kind} {name}") from None
        return None if r.status == 404 else self.session.json_of(r, path)

    def list(self, res: Resource, namespace: str | None, selector: str) -> list[dict]:
        path = res.path(namespace)
        try:
            doc = self.session.json_of(self.session.get(path, {"labelSelector": selector}, cache=False), path)
        except Unauthorized as e:
            where = f" in namespace {namespace}" if namespace and res.namespaced else ""
            raise forbidden(e, f"list {res.plural}{where}") from None
        return [i for i in (doc or {}).get("items") or [] if isinstance(i, dict)]

    # -- writes ----------------------------------------------------------------------------------
    def apply(self, res: Resource, namespace: str | None, name: str, body: dict, force: bool,
              dry_run: bool = False) -> dict:
        params = {"fieldManager": MANAGER}
        if force:
            params["force"] = "true"
        if dry_run:
            params["dryRun"] = "All"
        path = res.path(namespace, name)
        data = json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")
        r = self.session.patch(path, data=data, headers={"Content-Type": APPLY, "Accept": "application/json"},
                               params=params)
        return self.session.json_of(r, path)

    def delete(self, res: Resource, namespace: str | None, name: str, dry_run: bool = False) -> None:
        params = {"dryRun": "All"} if dry_run else None
        self.session.delete(res.path(namespace, name), params=params, ok=(404,))


def forbidden(e: Unauthorized, what: str) -> KubeRefused:
    status = _status(e.body)
    reason = status.get("message") or e.message
    if e.status == 401:
        return KubeRefused(FORBIDDEN, f"the API server does not accept obs's credentials (401) to {what}",
                           hint="check the kube context's token or client certificate (values are never printed)",
                           status=401)
    return KubeRefused(FORBIDDEN, f"forbidden to {what}: {reason}",
                       hint="grant obs's user this verb on the resource (a Role/ClusterRole bound to it)", status=403)


def _status(body: str) -> dict:
    """The v1 Status a refusal carries (https://kubernetes.io/docs/reference/using-api/api-concepts/)."""
    try:
        doc = json.loads(body or "null")
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def refusal(e: LiveError, what: str) -> str:
    """One line for a write the API server refused: conflicts name the other manager and fields,
    invalid objects the fields and why, RBAC the verb."""
    status = _status(e.body)
    message = str(status.get("message") or e.message)
    causes = (status.get("details") or {}).get("causes") or []
    if isinstance(e, Conflict):
        fields = ", ".join(str(c.get("field")) for c in causes if isinstance(c, dict) and c.get("field"))
        managers = sorted({m for c in causes if isinstance(c, dict)
                           for m in [_manager(str(c.get("message") or ""))] if m})
        who = f" with manager {', '.join(managers)}" if managers else ""
        at = f" ({fields})" if fields else ""
        return (f"{what}: field conflict{who}{at}: another field manager set these fields to other values; "
                "obs does not take them over (change or remove them there, or let obs own the object)")
    if isinstance(e, Unauthorized):
        return f"{what}: {forbidden(e, 'write it').message}"
    if isinstance(e, NotFound):
        return f"{what}: {message} (404)"
    if isinstance(e, Rejected) and e.status == 422:
        detail = "; ".join(f"{c.get('field')}: {c.get('message')}" for c in causes
                           if isinstance(c, dict) and c.get("field"))
        return f"{what} is invalid: {detail or message}"
    return f"{what}: {message}"


def _manager(text: str) -> str | None:
    """`conflict with "kubectl-edit" using v1` → kubectl-edit (the wording of the SSA docs)."""
    if 'conflict with "' in text:
        return text.split('conflict with "', 1)[1].split('"', 1)[0]
    return None

