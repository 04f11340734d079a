"""A Kubernetes API server that holds state, for the kubernetes apply contract tests (no API
server can run here): discovery answers and refusals come from recordings that cite the
documented API (tests/contracts/kubernetes/apply-*.json), objects persist between requests the
way the documents describe — server-side apply stores the applied object with the server's
metadata, `dryRun=All` validates without persisting, list filters by label selector, DELETE
removes. A refusal is scripted per (method, path): the recorded Status is answered instead.
"""

from __future__ import annotations

import copy
import fnmatch
import itertools
import json
from pathlib import Path

from tests.live.scripted import Reply, Request, ScriptedServer

CONTRACTS = Path(__file__).resolve().parents[1] / "contracts" / "kubernetes"


def recording(name: str) -> dict:
    doc = json.loads((CONTRACTS / f"{name}.json").read_text())
    assert doc["source"].startswith("https://kubernetes.io/docs/"), "a recording cites the documented API"
    return doc


def _status(code: int, reason: str, message: str) -> dict:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}


class KubeApiServer(ScriptedServer):
    def __init__(self, prefix: str = "") -> None:
        super().__init__()
        #: a sub-path the API server is behind (a proxy's /k8s): every request must carry it
        self.prefix = prefix
        self.discovery = recording("apply-discovery")["discovery"]
        refusals = recording("apply-refusals")
        self.statuses, self.recorded = refusals["status"], refusals["objects"]
        self.objects: dict[str, dict] = {}  # object path → object
        self.refusals: dict[tuple[str, str], tuple[str, bool]] = {}
        self._rv = itertools.count(2000)

    # -- test set-up ---------------------------------------------------------------------------
    def put(self, path: str, obj: dict) -> None:
        self.objects[path] = copy.deepcopy(obj)

    def put_recorded(self, path: str, name: str) -> None:
        self.put(path, self.recorded[name])

    def refuse(self, method: str, path: str, status: str, dry_run_too: bool = True) -> None:
        """Answer the recorded Status `status` to this request (to its dry run as well, by default)."""
        self.refusals[(method, path)] = (status, dry_run_too)

    def writes(self) -> list[Request]:
        return [r for r in self.requests if r.method in ("PATCH", "DELETE", "PUT", "POST")]

    # -- the API ---------------------------------------------------------------------------------
    def _answer(self, req: Request) -> Reply:
        with self._lock:
            self.requests.append(req)
            return self._serve(req)

    def _serve(self, req: Request) -> Reply:
        if not req.path.startswith(self.prefix + "/"):
            self.unexpected.append(req)
            return Reply(404, _status(404, "NotFound", "not behind the expected sub-path"))
        req = Request(req.method, req.path[len(self.prefix):], req.query, req.headers, req.body)
        dry = req.query.get("dryRun") == ["All"]
        refused = self.refusals.get((req.method, req.path))
        if refused is not None and (not dry or refused[1]):
            body = self.statuses[refused[0]]
            return Reply(body["code"], body)
        if req.method == "GET" and req.path in self.discovery:
            return Reply(200, self.discovery[req.path])
        kind_path = self._collection(req.path)
        if kind_path is None:
            self.unexpected.append(req)
            return Reply(404, _status(404, "NotFound", "the server could not find the requested resource"))
        collection, name, resource = kind_path
        path = f"{collection}/{name}" if name else collection
        if req.method == "GET" and name is None:
            return Reply(200, {"kind": resource["kind"] + "List", "apiVersion": "v1", "metadata": {},
                               "items": [o for p, o in sorted(self.objects.items())
                                         if fnmatch.fnmatchcase(p.rsplit("/", 1)[0], collection)
                                         and self._selected(o, req)]})
        if req.method == "GET":
            if path not in self.objects:
                return Reply(404, _status(404, "NotFound", f'{resource["name"]} "{name}" not found'))
            return Reply(200, self.objects[path])
        if req.method == "PATCH":
            return self._apply(req, path, name, dry)
        if req.method == "DELETE":
            if path not in self.objects:
                return Reply(404, _status(404, "NotFound", f'{resource["name"]} "{name}" not found'))
            gone = self.objects[path] if dry else self.objects.pop(path)
            return Reply(200, gone)
        self.unexpected.append(req)
        return Reply(405, _status(405, "MethodNotAllowed", "not supported here"))

    def _apply(self, req: Request, path: str, name: str, dry: bool) -> Reply:
        if req.headers.get("Content-Type") != "application/apply-patch+yaml" or "fieldManager" not in req.query:
            return Reply(400, _status(400, "BadRequest", "server-side apply needs application/apply-patch+yaml "
                                      "and a fieldManager"))
        body = req.json()
        if body["metadata"]["name"] != name:
            return Reply(400, _status(400, "BadRequest", "the name of the object does not match the URL"))
        old = self.objects.get(path)
        new = _merged(old, body) if old is not None else copy.deepcopy(body)
        meta = new["metadata"]
        meta.setdefault("uid", f"00000000-0000-4000-8000-{len(self.objects):012d}")
        meta.setdefault("creationTimestamp", "2026-12-02T20:00:00Z")
        meta["resourceVersion"] = str(next(self._rv))
        managers = [m for m in meta.get("managedFields") or [] if m.get("manager") != req.query["fieldManager"][0]]
        meta["managedFields"] = managers + [{"manager": req.query["fieldManager"][0], "operation": "Apply",
                                             "apiVersion": new["apiVersion"], "fieldsType": "FieldsV1"}]
        if not dry:
            self.objects[path] = new
        return Reply(201 if old is None else 200, new)

    def _collection(self, path: str):
        """(collection path, name or None, discovery entry) of an object or collection path."""
        for base, listing in self.discovery.items():
            if not path.startswith(base + "/") or "resources" not in listing:  # /apis: the group list
                continue
            parts = path[len(base) + 1:].split("/")
            namespace = None
            if parts[0] == "namespaces" and len(parts) >= 3:
                namespace, parts = parts[1], parts[2:]
            res = next((r for r in listing["resources"] if r["name"] == parts[0]), None)
            across = res is not None and res["namespaced"] and namespace is None and len(parts) == 1
            if res is None or len(parts) > 2 or (res["namespaced"] != (namespace is not None) and not across):
                return None
            if across:  # a namespaced kind listed across all namespaces
                return f"{base}/namespaces/*/{parts[0]}", None, res
            collection = f"{base}/namespaces/{namespace}/{parts[0]}" if namespace else f"{base}/{parts[0]}"
            return collection, parts[1] if len(parts) == 2 else None, res
        return None

    @staticmethod
    def _selected(obj: dict, req: Request) -> bool:
        selector = (req.query.get("labelSelector") or [""])[0]
        labels = (obj.get("metadata") or {}).get("labels") or {}
        return all(labels.get(k) == v for k, _, v in (term.partition("=") for term in selector.split(",") if term))


def _merged(old: dict, applied: dict) -> dict:
    """Applied fields over the live object (maps merged; lists and values replaced), as the
    server does for the fields one manager applies to an object others also hold."""
    out = copy.deepcopy(old)
    for k, v in applied.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merged(out[k], v)
        elif isinstance(v, list) and isinstance(out.get(k), list) and all(isinstance(i, dict) and "name" in i
                                                                          for i in v + out[k]):
            live = {i["name"]: i for i in out[k]}  # list-map keyed by name (containers, env, volumes)
            out[k] = [_merged(live[i["name"]], i) if i["name"] in live else copy.deepcopy(i) for i in v] + \
                [i for i in out[k] if i["name"] not in {j["name"] for j in v}]
        else:
            out[k] = copy.deepcopy(v)
    return out
