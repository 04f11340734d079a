"""The Prometheus HTTP API as obs uses it: instant queries, series (many `match[]` per request),
label values, metric metadata, active targets and build info — all through the one Session.

Reads that may be long (queries, series with many selectors) go by POST as forms, which
Prometheus, Thanos and Mimir accept for these endpoints, so no URL grows past a proxy's limit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from obs.live.clients import preflight
from obs.live.errors import BadResponse, LiveError, NotFound, Rejected, Unsupported
from obs.live.http import Session

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass(frozen=True)
class QueryResult:
    result_type: str
    result: list
    warnings: tuple[str, ...] = ()
    infos: tuple[str, ...] = ()


@dataclass
class QueryError(Exception):
    """Prometheus refused or failed to evaluate an expression (400 bad_data, 422 execution)."""

    expr: str
    error_type: str
    message: str
    cause: LiveError | None = field(default=None, repr=False)

    def __str__(self) -> str:
        return f"{self.error_type}: {self.message}"


def api_error(err: LiveError) -> tuple[str, str]:
    """(errorType, error) from Prometheus's JSON error body; the Session's own text otherwise."""
    try:
        doc = json.loads(err.body or "null")
    except ValueError:
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("error"), str):
        return str(doc.get("errorType") or "error"), doc["error"]
    return "error", err.message


class Prometheus:
    """One per server (Clients.client): what it answered is kept for the run where it cannot change."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.memo: dict[str, Any] = {}

    @property
    def server(self) -> str:
        return self.session.server

    def _data(self, body: Any, path: str) -> Any:
        if not isinstance(body, dict) or body.get("status") != "success" or "data" not in body:
            raise BadResponse(self.server, f"{path} did not answer the Prometheus API (is this the right URL?)")
        return body["data"]

    def _post(self, path: str, form: list[tuple[str, str]]) -> Any:
        """A read sent as a form: retried and merged like a GET (the body is part of the cache key)."""
        r = self.session.post(path, data=urlencode(form), headers=FORM, read=True)
        return self._data(self.session.json_of(r, path), path)

    def _get(self, path: str, params: Any = None) -> Any:
        return self._data(self.session.get_json(path, params), path)

    # -- the API -----------------------------------------------------------------------------
    def buildinfo(self) -> dict:
        """Version and revision; servers without the endpoint (some proxies) answer a query instead."""
        try:
            return self._get("/api/v1/status/buildinfo")
        except NotFound:
            self.query("1")
            return {"version": "unknown"}

    def query(self, expr: str, time: float | None = None) -> QueryResult:
        form = [("query", expr)] + ([("time", f"{time:.3f}")] if time is not None else [])
        try:
            r = self.session.post("/api/v1/query", data=urlencode(form), headers=FORM, read=True)
        except Rejected as e:
            raise QueryError(expr, *api_error(e), cause=e) from None
        body = self.session.json_of(r, "/api/v1/query")
        data = self._data(body, "/api/v1/query")
        return QueryResult(str(data.get("resultType", "")), list(data.get("result") or []),
                           tuple(body.get("warnings") or ()), tuple(body.get("infos") or ()))

    def query_range(self, expr: str, start: float, end: float, step: float) -> QueryResult:
        """One range query (a matrix); the caller keeps (end - start) / step within the server's
        11,000 points per series (obs.backtest.metrics slices the range)."""
        form = [("query", expr), ("start", f"{start:.3f}"), ("end", f"{end:.3f}"), ("step", f"{step:g}")]
        try:
            r = self.session.post("/api/v1/query_range", data=urlencode(form), headers=FORM, read=True)
        except Rejected as e:
            raise QueryError(expr, *api_error(e), cause=e) from None
        body = self.session.json_of(r, "/api/v1/query_range")
        data = self._data(body, "/api/v1/query_range")
        return QueryResult(str(data.get("resultType", "")), list(data.get("result") or []),
                           tuple(body.get("warnings") or ()), tuple(body.get("infos") or ()))

    def flags(self) -> dict[str, str]:
        """The server's command-line flags (retention among them); {} where the API is absent
        (Thanos, Mimir and most proxies do not serve it)."""
        try:
            data = self._get("/api/v1/status/flags")
        except (NotFound, Unsupported):
            return {}
        return {str(k): str(v) for k, v in (data or {}).items()}

    def series(self, selectors: list[str], start: float, end: float) -> list[dict[str, str]]:
        """Label sets of every series any of `selectors` matches in [start, end] (their union)."""
        form = [("match[]", s) for s in selectors] + [("start", f"{start:.3f}"), ("end", f"{end:.3f}")]
        data = self._post("/api/v1/series", form)
        if not isinstance(data, list):
            raise BadResponse(self.server, "/api/v1/series did not answer a list of series")
        return data

    def label_values(self, label: str, selectors: tuple[str, ...] = (), start: float | None = None,
                     end: float | None = None) -> list[str]:
        params: list[tuple[str, str]] = [("match[]", s) for s in selectors]
        if start is not None and end is not None:
            params += [("start", f"{start:.3f}"), ("end", f"{end:.3f}")]
        return sorted(self._get(f"/api/v1/label/{label}/values", params or None) or [])

    def metadata(self) -> dict[str, list[dict]]:
        """Metric family → its declared type(s) (`counter`, `gauge`, `histogram`…), as scraped."""
        try:
            return self._get("/api/v1/metadata") or {}
        except NotFound:
            raise Unsupported(self.server, "this server has no /api/v1/metadata") from None

    def targets(self) -> list[dict]:
        """Active scrape targets with their labels and scrape interval."""
        try:
            data = self._get("/api/v1/targets", {"state": "active"})
        except NotFound:
            raise Unsupported(self.server, "this server has no /api/v1/targets (a querier, not a scraper?)") from None
        return list((data or {}).get("activeTargets") or [])


@preflight("prometheus")
def _up(session: Session) -> dict:
    return Prometheus(session).buildinfo()
