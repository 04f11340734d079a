"""Grafana's HTTP API, the few reads validate needs: health, a datasource by uid, the folders.

Plain HTTP through the Session (grafana-client would bring its own transport, retries and
auth handling, which the Session already owns). Documented at
https://grafana.com/docs/grafana/latest/developers/http_api/ (data_source, folder, other).
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
        """Titles of all folders (GET /api/folders, paged; nested folders included where the
        server lists them): the sidecar files dashboards by folder title, not uid."""
        titles: set[str] = set()
        page, limit = 1, 1000
        while True:
            doc = self.session.get_json("/api/folders", {"limit": limit, "page": page})
            if not isinstance(doc, list):
                raise BadResponse("grafana", "/api/folders did not answer a list of folders")
            titles |= {f.get("title", "") for f in doc if isinstance(f, dict)}
            if len(doc) < limit:
                return titles
            page += 1
