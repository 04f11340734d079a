"""Grafana's HTTP API: what validate reads (health, a datasource by uid, the folders) and what
apply writes (folders, dashboards by uid, the dashboards of a tag).

Plain HTTP through the Session (grafana-client would bring its own transport, retries and
auth handling, which the Session already owns). Documented at
https://grafana.com/docs/grafana/latest/developers/http_api/ (data_source, folder, other,
dashboard, folder_dashboard_search).
"""

from __future__ import annotations

from obs.live.clients import preflight
from obs.live.errors import BadResponse
from obs.live.http import Session


@preflight("grafana")
def health(session: Session) -> dict:
    """GET /api/health: {"database": "ok", "version": ...}; it needs no credentials, so a bad
    token shows at the first real read, not here."""
    doc = session.get_json("/api/health")
    if not isinstance(doc, dict) or "database" not in doc:
        raise BadResponse("grafana", f"{session.url('/api/health')} is not Grafana's health API "
                          "(is this the right URL?)")
    return doc


class Grafana:
    def __init__(self, session: Session) -> None:
        self.session = session

    def datasource(self, uid: str) -> dict | None:
        """The datasource of this uid ({uid, name, type, ...}), or None when Grafana has none."""
        r = self.session.get(f"/api/datasources/uid/{uid}", ok=(404,))
        if r.status == 404:
            return None
        doc = self.session.json_of(r, f"/api/datasources/uid/{uid}")
        if not isinstance(doc, dict) or "type" not in doc:
            raise BadResponse("grafana", f"/api/datasources/uid/{uid} did not answer a datasource")
        return doc

    def folder_titles(self) -> set[str]:
        """Titles of all folders: the sidecar files dashboards by folder title, not uid."""
        return {f.get("title", "") for f in self.folders()}

    def folders(self, cache: bool = True) -> list[dict]:
        """All folders ({id, uid, title}; GET /api/folders, paged; nested folders included where
        the server lists them)."""
        return self._pages("/api/folders", {}, 1000, cache)

    def folder(self, uid: str) -> dict | None:
        """The folder of this uid, or None when Grafana has none (GET /api/folders/:uid)."""
        r = self.session.get(f"/api/folders/{uid}", cache=False, ok=(404,))
        return None if r.status == 404 else self._object(r, f"/api/folders/{uid}")

    def create_folder(self, title: str, uid: str | None = None) -> dict:
        """POST /api/folders: the new folder ({uid, title, ...}); 409 when one of that title exists."""
        body = {"title": title, **({"uid": uid} if uid else {})}
        return self._object(self.session.post("/api/folders", json_body=body), "/api/folders")

    def tagged(self, tag: str) -> list[dict]:
        """Dashboards carrying a tag ({uid, title, tags, folderUid, ...}; GET /api/search, paged)."""
        return self._pages("/api/search", {"type": "dash-db", "tag": tag}, 5000, False)

    def dashboard(self, uid: str) -> dict | None:
        """{dashboard, meta} of this uid (meta: version, folderUid, folderTitle, provisioned...),
        or None when Grafana has none (GET /api/dashboards/uid/:uid)."""
        path = f"/api/dashboards/uid/{uid}"
        r = self.session.get(path, cache=False, ok=(404,))
        if r.status == 404:
            return None
        doc = self._object(r, path)
        if not isinstance(doc.get("dashboard"), dict):
            raise BadResponse("grafana", f"{path} did not answer a dashboard")
        return doc

    def save(self, dashboard: dict, folder_uid: str, message: str) -> dict:
        """POST /api/dashboards/db without overwrite: Grafana answers 412 when the version sent is
        not the one it holds (version-mismatch) or another dashboard of the folder has the title
        (name-exists); 400 for a provisioned dashboard."""
        body = {"dashboard": dashboard, "folderUid": folder_uid, "overwrite": False, "message": message}
        return self._object(self.session.post("/api/dashboards/db", json_body=body), "/api/dashboards/db")

    def delete(self, uid: str) -> None:
        self.session.delete(f"/api/dashboards/uid/{uid}")

    def _object(self, r, path: str) -> dict:
        doc = self.session.json_of(r, path)
        if not isinstance(doc, dict):
            raise BadResponse("grafana", f"{path} did not answer an object")
        return doc

    def _pages(self, path: str, params: dict, limit: int, cache: bool) -> list[dict]:
        out: list[dict] = []
        page = 1
        while True:
            doc = self.session.get_json(path, {**params, "limit": limit, "page": page}, cache=cache)
            if not isinstance(doc, list):
                raise BadResponse("grafana", f"{path} did not answer a list")
            out += [x for x in doc if isinstance(x, dict)]
            if len(doc) < limit:
                return out
            page += 1
