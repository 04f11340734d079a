"""A loopback HTTP server that answers from a script: a real socket for obs's Session and
clients, with every request recorded (method, path, query, headers, body).

Used for the Session's own fault handling and, with recorded documented responses, for the
contract tests of servers that cannot run here. A request no route answers is a 599 and is
recorded as unexpected, so a test can fail on it; routes never hit can be listed too.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body or b"null")


@dataclass
class Reply:
    status: int = 200
    body: object = None  # dict/list → JSON; str/bytes as they are
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, "application/octet-stream"
        if isinstance(self.body, str):
            return self.body.encode(), "text/plain"
        return json.dumps(self.body).encode(), "application/json"


Handler = Callable[[Request], Reply]


class ScriptedServer:
    """`server.route("GET", "/api/v1/query", reply_or_fn_or_list)`; a list is served in order,
    its last reply repeating."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.unexpected: list[Request] = []
        self._routes: dict[tuple[str, str], list] = {}
        self._hits: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        outer = self

        class _H(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def _serve(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                req = Request(self.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
                              {k: v for k, v in self.headers.items()}, self.rfile.read(length) if length else b"")
                reply = outer._answer(req)
                if reply.delay:
                    time.sleep(reply.delay)
                body, ctype = reply.encoded()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.headers.get("Content-Type", ctype))
                    for k, v in reply.headers.items():
                        if k != "Content-Type":
                            self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def route(self, method: str, path: str, reply: Reply | Handler | list) -> ScriptedServer:
        self._routes[(method, path)] = list(reply) if isinstance(reply, list) else [reply]
        return self

    def _answer(self, req: Request) -> Reply:
        with self._lock:
            self.requests.append(req)
            key = (req.method, req.path)
            replies = self._routes.get(key)
            if replies is None:
                self.unexpected.append(req)
                return Reply(599, {"error": f"no recording for {req.method} {req.path}"})
            n = self._hits.get(key, 0)
            self._hits[key] = n + 1
            reply = replies[min(n, len(replies) - 1)]
        return reply(req) if callable(reply) else reply

    def unused(self) -> list[tuple[str, str]]:
        return sorted(k for k in self._routes if k not in self._hits)

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
