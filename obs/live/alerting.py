"""The alerting APIs of Elasticsearch and OpenSearch that `obs apply` writes to: Watcher watches
(`_watcher/...`), OpenSearch Alerting monitors (`_plugins/_alerting/monitors`) and OpenSearch
Notifications channels (`_plugins/_notifications/configs`).

Each is an optional part of its server (Watcher needs a license that has it; Alerting and
Notifications are plugins the minimal distributions lack): a server without it answers with
one clear Unsupported error, never a parse failure or a "credentials refused".
"""

from __future__ import annotations

from typing import Any

from obs.live.errors import BadResponse, LiveError, NotFound, Rejected, Unauthorized, Unsupported
from obs.live.http import Session

PAGE = 100


def _absent(e: LiveError, what: str) -> LiveError:
    """A missing API (no handler, 404 on the API root, a license that lacks it) as Unsupported."""
    body = e.body.lower()
    if isinstance(e, Unauthorized) and "license" in body:
        return Unsupported(e.server, f"{what} is not licensed on this cluster (it needs a license that includes "
                           "it, or a trial)", e.status, e.body)
    if isinstance(e, NotFound | Unsupported) or (isinstance(e, Rejected) and "no handler found" in body):
        return Unsupported(e.server, f"{what} is not available on this server (is the plugin installed?)",
                           e.status, e.body)
    return e


def _search(session: Session, path: str, body: dict) -> Any:
    """A search sent by POST: retried like a read, never cached (apply reads again after writing)."""
    return session.json_of(session.request("POST", path, json_body=body, idempotent=True, cache=False), path)


def _object(doc: Any, session: Session, path: str) -> dict:
    if not isinstance(doc, dict):
        raise BadResponse(session.server, f"{path} did not answer a JSON object")
    return doc


class Watcher:
    WHAT = "Watcher (_watcher)"

    def __init__(self, session: Session) -> None:
        self.session = session

    def query(self, project: str, ids: list[str]) -> list[dict]:
        """Watches whose metadata names the project, and watches with the given ids, each as the
        Query watches API gives it (`_id`, `watch`, `_seq_no`, `_primary_term`)."""
        should: list[dict] = [{"match": {"metadata.obs.project": {"query": project, "operator": "and"}}}]
        if ids:
            should.append({"ids": {"values": sorted(ids)}})
        out: list[dict] = []
        while True:
            body = {"query": {"bool": {"should": should, "minimum_should_match": 1}}, "from": len(out),
                    "size": PAGE, "sort": [{"_id": "asc"}]}
            try:
                doc = _object(_search(self.session, "/_watcher/_query/watches", body),
                              self.session, "_watcher/_query/watches")
            except LiveError as e:
                raise _absent(e, self.WHAT) from None
            page = [w for w in doc.get("watches", []) if isinstance(w, dict)]
            out.extend(page)
            if len(page) < PAGE or len(out) >= int(doc.get("count", 0)):
                return out

    def put(self, watch_id: str, body: dict, seq_no: int | None = None, primary_term: int | None = None) -> dict:
        params = {"if_seq_no": seq_no, "if_primary_term": primary_term} if seq_no is not None else None
        path = f"/_watcher/watch/{watch_id}"
        return self.session.json_of(self.session.put(path, json_body=body, params=params), path)

    def delete(self, watch_id: str) -> None:
        self.session.delete(f"/_watcher/watch/{watch_id}", ok=(404,))

    def execute(self, body: dict) -> dict:
        """Run a watch given inline once, with every action skipped and nothing recorded: a dry run."""
        actions = {name: "skip" for name in body.get("actions", {})}
        request = {"watch": body, "action_modes": actions, "record_execution": False}
        path = "/_watcher/watch/_execute"
        return _object(self.session.json_of(self.session.post(path, json_body=request), path), self.session, path)


class Alerting:
    WHAT = "OpenSearch Alerting (_plugins/_alerting)"
    BASE = "/_plugins/_alerting/monitors"

    def __init__(self, session: Session) -> None:
        self.session = session

    def monitors(self) -> list[dict]:
        """Every monitor as `{"_id", "_seq_no", "_primary_term", "monitor": {...}}` (the search
        API gives the monitor as `_source`, or under `_source.monitor` in older versions)."""
        out: list[dict] = []
        while True:
            body = {"query": {"match_all": {}}, "from": len(out),
                    "size": PAGE, "seq_no_primary_term": True, "sort": [{"_id": "asc"}]}
            try:
                doc = _object(_search(self.session, f"{self.BASE}/_search", body),
                              self.session, "monitors/_search")
            except LiveError as e:
                raise _absent(e, self.WHAT) from None
            hits = doc.get("hits", {}).get("hits", []) if isinstance(doc.get("hits"), dict) else []
            for h in hits:
                src = h.get("_source") if isinstance(h, dict) else None
                mon = src.get("monitor") if isinstance(src, dict) and isinstance(src.get("monitor"), dict) else src
                if isinstance(mon, dict) and mon.get("type", "monitor") == "monitor":
                    out.append({"_id": h.get("_id"), "_seq_no": h.get("_seq_no"),
                                "_primary_term": h.get("_primary_term"), "monitor": mon})
            if len(hits) < PAGE:
                return out

    def create(self, body: dict) -> str:
        doc = self.session.json_of(self.session.post(self.BASE, json_body=body), self.BASE)
        if not isinstance(doc, dict) or not doc.get("_id"):
            raise BadResponse(self.session.server, "creating a monitor answered without an _id")
        return str(doc["_id"])

    def update(self, monitor_id: str, body: dict, seq_no: int | None, primary_term: int | None) -> None:
        params = {"if_seq_no": seq_no, "if_primary_term": primary_term} if seq_no is not None else None
        self.session.put(f"{self.BASE}/{monitor_id}", json_body=body, params=params)

    def delete(self, monitor_id: str) -> None:
        self.session.delete(f"{self.BASE}/{monitor_id}", ok=(404,))

    def dry_run(self, body: dict) -> dict:
        """Run a monitor given inline once without sending anything (`?dryrun=true`)."""
        path = f"{self.BASE}/_execute"
        response = self.session.post(path, params={"dryrun": "true"}, json_body=body)
        return _object(self.session.json_of(response, path), self.session, path)


class Notifications:
    WHAT = "OpenSearch Notifications (_plugins/_notifications)"
    BASE = "/_plugins/_notifications/configs"

    def __init__(self, session: Session) -> None:
        self.session = session

    def configs(self) -> list[dict]:
        """Every channel configuration: `{"config_id", "config": {...}, ...}`."""
        out: list[dict] = []
        while True:
            params = {"from_index": len(out), "max_items": PAGE, "sort_field": "config_id", "sort_order": "asc"}
            try:
                doc = _object(self.session.get_json(self.BASE, params=params, cache=False), self.session, self.BASE)
            except LiveError as e:
                raise _absent(e, self.WHAT) from None
            page = [c for c in doc.get("config_list", []) if isinstance(c, dict)]
            out.extend(page)
            if len(page) < PAGE or len(out) >= int(doc.get("total_hits", 0)):
                return out

    def create(self, body: dict) -> None:
        self.session.post(self.BASE, json_body=body)

    def update(self, config_id: str, config: dict) -> None:
        self.session.put(f"{self.BASE}/{config_id}", json_body={"config": config})

    def delete(self, config_id: str) -> None:
        self.session.delete(f"{self.BASE}/{config_id}", ok=(404,))
