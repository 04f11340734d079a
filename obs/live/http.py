"""The one place obs speaks HTTP to a server: URL and sub-path joining, auth, TLS, timeouts,
bounded retries with backoff, a concurrency bound and a cache that asks an identical read once.

Every client in live/ (Prometheus, Alertmanager, Elasticsearch/OpenSearch, Grafana,
SkyWalking, Kubernetes, Mimir) goes through a Session, so a dead server, a 429 or a bad token
is handled — and worded, without credentials — the same way everywhere.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from obs import __version__
from obs.live.environment import Endpoint
from obs.live.errors import (
    BadResponse,
    Conflict,
    LiveError,
    NotFound,
    Rejected,
    Unauthorized,
    Unreachable,
    Unsupported,
    safe_url,
)

RETRY_STATUS = frozenset({429, 502, 503, 504})
READS = frozenset({"GET", "HEAD"})
BODY_LIMIT = 1024  # bytes of an error body kept for a message


@dataclass(frozen=True)
class Policy:
    """Timeouts and retries; the defaults suit a CI job talking to in-cluster servers."""

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    attempts: int = 3  # in all, for reads; writes are sent once
    backoff: float = 0.5  # seconds before the 2nd attempt, doubled after
    max_retry_after: float = 30.0  # a Retry-After longer than this is not waited for
    concurrency: int = 4


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError as e:
            raise ValueError(f"not JSON: {e}") from None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Session:
    """HTTP to one endpoint. Raises only the LiveError family (errors.py)."""

    def __init__(self, endpoint: Endpoint, policy: Policy | None = None,
                 sleep: Callable[[float], None] = time.sleep, transport: requests.Session | None = None) -> None:
        self.endpoint = endpoint
        self.policy = policy or Policy()
        self._sleep = sleep
        self._http = transport or requests.Session()
        self._http.headers.update({"User-Agent": f"obs/{__version__}", **endpoint.headers})
        if endpoint.username is not None:
            self._http.auth = (endpoint.username, endpoint.password or "")
        self._http.verify = endpoint.ca_file or endpoint.verify_tls
        if endpoint.cert is not None:
            self._http.cert = endpoint.cert
        self._gate = threading.BoundedSemaphore(self.policy.concurrency)
        self._cache: dict[tuple, Response] = {}
        self._inflight: dict[tuple, threading.Event] = {}
        self._lock = threading.Lock()
        #: requests actually sent (retries included): what benchmarks and tests count
        self.sent = 0

    @property
    def server(self) -> str:
        return self.endpoint.name

    def url(self, path: str) -> str:
        """Join the endpoint (which may have a sub-path, e.g. https://host/prometheus) and path."""
        return self.endpoint.url.rstrip("/") + "/" + path.lstrip("/")

    # -- verbs -------------------------------------------------------------------------------
    def get(self, path: str, params: Any = None, cache: bool = True, ok: tuple[int, ...] = ()) -> Response:
        return self.request("GET", path, params=params, cache=cache, ok=ok)

    def get_json(self, path: str, params: Any = None, cache: bool = True) -> Any:
        return self.json_of(self.get(path, params, cache), path)

    def post(self, path: str, params: Any = None, data: Any = None, json_body: Any = None,
             headers: Mapping[str, str] | None = None, read: bool = False, ok: tuple[int, ...] = ()) -> Response:
        """A POST; `read=True` marks a query sent by POST (retried and cached like a GET)."""
        return self.request("POST", path, params=params, data=data, json_body=json_body, headers=headers,
                            idempotent=read, cache=read, ok=ok)

    def put(self, path: str, json_body: Any = None, data: Any = None, headers: Mapping[str, str] | None = None,
            params: Any = None, ok: tuple[int, ...] = ()) -> Response:
        return self.request("PUT", path, params=params, data=data, json_body=json_body, headers=headers, ok=ok)

    def patch(self, path: str, data: Any = None, headers: Mapping[str, str] | None = None, params: Any = None,
              ok: tuple[int, ...] = ()) -> Response:
        return self.request("PATCH", path, params=params, data=data, headers=headers, ok=ok)

    def delete(self, path: str, params: Any = None, ok: tuple[int, ...] = ()) -> Response:
        return self.request("DELETE", path, params=params, ok=ok)

    # -- the one request path ----------------------------------------------------------------
    def request(self, method: str, path: str, params: Any = None, data: Any = None, json_body: Any = None,
                headers: Mapping[str, str] | None = None, idempotent: bool | None = None, cache: bool = False,
                ok: tuple[int, ...] = ()) -> Response:
        """Send once (writes) or up to `attempts` times (reads); statuses in `ok` are returned
        instead of raised (e.g. a 404 that means "absent")."""
        retry = method in READS if idempotent is None else idempotent
        key = (method, path, _freeze(params), _freeze(json_body), data if isinstance(data, str | bytes) else None)
        if not cache:
            return self._send(method, path, params, data, json_body, headers, retry, ok)
        while True:
            with self._lock:
                if key in self._cache:
                    return self._cache[key]
                waiter = self._inflight.get(key)
                if waiter is None:
                    self._inflight[key] = threading.Event()
                    break
            waiter.wait()  # another thread asks the same; errors are not cached, so ask again then
        try:
            response = self._send(method, path, params, data, json_body, headers, retry, ok)
            if response.status < 300:
                with self._lock:
                    self._cache[key] = response
            return response
        finally:
            with self._lock:
                self._inflight.pop(key).set()

    def _send(self, method, path, params, data, json_body, headers, retry, ok) -> Response:
        url = self.url(path)
        attempts = self.policy.attempts if retry else 1
        delay = self.policy.backoff
        last: LiveError | None = None
        for attempt in range(attempts):
            if attempt:
                self._sleep(delay)
                delay *= 2
            try:
                with self._gate:
                    with self._lock:  # several threads send through one Session
                        self.sent += 1
                    r = self._http.request(method, url, params=params, data=data, json=json_body,
                                           headers=dict(headers or {}), allow_redirects=method in READS,
                                           timeout=(self.policy.connect_timeout, self.policy.read_timeout))
            except requests.exceptions.SSLError:
                raise Unreachable(self.server, f"TLS verification failed for {safe_url(url)}") from None
            except requests.exceptions.Timeout:
                last = Unreachable(self.server, f"no answer from {safe_url(url)} within "
                                   f"{self.policy.read_timeout:g}s")
                continue
            except requests.exceptions.RequestException as e:
                last = Unreachable(self.server, f"cannot connect to {safe_url(url)} ({_reason(e)})")
                continue
            response = Response(r.status_code, dict(r.headers), r.content)
            if r.status_code in RETRY_STATUS and attempt + 1 < attempts:
                wait = _retry_after(r.headers.get("Retry-After"))
                if wait is not None:
                    if wait > self.policy.max_retry_after:
                        raise self._error(response, url)
                    delay = max(delay, wait)
                last = self._error(response, url)
                continue
            if r.status_code < 300 or r.status_code in ok:
                return response
            raise self._error(response, url)
        assert last is not None
        raise last

    def _error(self, r: Response, url: str) -> LiveError:
        body = self._redacted(r.body[:BODY_LIMIT].decode("utf-8", "replace").strip())
        where = f"{safe_url(url)} answered {r.status}"
        detail = f": {_first_line(body)}" if body else ""
        if r.status in (401, 403):
            return Unauthorized(self.server, f"{where} (credentials refused)", r.status, body)
        if r.status == 404:
            return NotFound(self.server, f"{where} (not found)", r.status, body)
        if r.status in (409, 412):
            return Conflict(self.server, f"{where} (conflict){detail}", r.status, body)
        if r.status in (405, 501):
            return Unsupported(self.server, f"{where} (not supported by this server)", r.status, body)
        if 300 <= r.status < 400:
            return BadResponse(self.server, f"{where} (a redirect to {safe_url(r.headers.get('Location', '?'))}: "
                               "set the final URL in obs.yaml)", r.status, body)
        if r.status < 500:
            return Rejected(self.server, f"{where}{detail}", r.status, body)
        return BadResponse(self.server, f"{where}{detail}", r.status, body)

    def _redacted(self, text: str) -> str:
        """A server's error text without obs's own credentials, should the server echo them."""
        secrets = [v for v in self.endpoint.headers.values() if v]
        secrets += [v.split(" ", 1)[1] for v in secrets if " " in v]  # "Bearer X": X alone too
        secrets += [self.endpoint.password] if self.endpoint.password else []
        for s in sorted(set(secrets), key=len, reverse=True):
            if len(s) >= 4:
                text = text.replace(s, "<redacted>")
        return text

    def json_of(self, r: Response, path: str) -> Any:
        """The JSON body of a response to `path`; BadResponse (naming the URL) if it is not JSON."""
        try:
            return r.json()
        except ValueError:
            raise BadResponse(self.server, f"{safe_url(self.url(path))} did not answer JSON "
                              "(is this the right URL?)", r.status) from None

    def close(self) -> None:
        self._http.close()


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def _reason(e: Exception) -> str:
    """A short cause without the URL (requests' messages repeat it, query string included)."""
    text = str(e)
    for marker in ("Connection refused", "Name or service not known", "Temporary failure in name resolution",
                   "No route to host", "Connection reset", "Remote end closed connection"):
        if marker in text:
            return marker.lower()
    return type(e).__name__


def _first_line(body: str) -> str:
    """The server's own error text, short; JSON errors of the usual shapes are unpacked."""
    try:
        doc = json.loads(body)
    except ValueError:
        doc = None
    if isinstance(doc, dict):
        for key in ("error", "message", "reason"):
            value = doc.get(key)
            if isinstance(value, dict):
                value = value.get("reason") or value.get("type")
            if isinstance(value, str) and value:
                body = value
                break
    line = body.splitlines()[0] if body else ""
    return line[:300]
