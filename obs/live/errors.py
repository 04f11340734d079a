"""What can go wrong talking to a server, as a few typed errors, and the one mapping of those
errors to Diagnostics — so validate, diff, apply and backtest word a dead server the same way.

Messages never carry credentials: URLs are shown without user-info or query strings, and no
header is ever part of a message.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from obs import codes
from obs.diagnostics import Diagnostic, Position, Severity

UNREACHABLE = codes.define("LV001", "live/unreachable",
                           "A server of the environment cannot be reached or does not answer in time.")
UNAUTHORIZED = codes.define("LV002", "live/unauthorized",
                            "A server refused obs's credentials (401/403).")
BAD_RESPONSE = codes.define("LV003", "live/bad-response",
                            "A server answered with an error or with something that is not its API.")


def safe_url(url: str) -> str:
    """The URL without user-info, query or fragment: what may appear in a message."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class LiveError(Exception):
    """Base of every error a Session raises; `server` names the endpoint (prometheus, …)."""

    code = BAD_RESPONSE
    #: True where the whole server is out of use (its other checks are skipped)
    fatal = False

    def __init__(self, server: str, message: str, status: int | None = None, body: str = "") -> None:
        super().__init__(message)
        self.server = server
        self.message = message
        self.status = status
        self.body = body


class Unreachable(LiveError):
    """Connection refused, DNS failure, TLS failure, timeout — after the bounded retries."""

    code = UNREACHABLE
    fatal = True


class Unauthorized(LiveError):
    code = UNAUTHORIZED
    fatal = True


class NotFound(LiveError):
    """404: the object (or the API) is not there; callers decide which."""


class Conflict(LiveError):
    """409/412: the object changed since it was read (a version conflict)."""


class Rejected(LiveError):
    """400/422 and similar: the server understood the request and refused it."""


class Unsupported(LiveError):
    """The server lacks an API obs uses (e.g. a 404 on an optional endpoint, 405, 501)."""


class BadResponse(LiveError):
    """5xx after retries, or a body that is not what the API documents."""


def diagnostic_for(err: LiveError, pos: Position | None, code: str | None = None,
                   severity: Severity = Severity.ERROR, hint: str | None = None) -> Diagnostic:
    """One line for a failed request at the definition (or obs.yaml line) it concerns.

    Unreachable servers are configuration problems (exit 2), as SPEC §3 gives them."""
    if hint is None:
        if isinstance(err, Unreachable):
            hint = "check the URL in obs.yaml and that the server is up and reachable from here"
        elif isinstance(err, Unauthorized):
            hint = "check the token, API key or user of this environment (values are never printed)"
    return Diagnostic(code or err.code, f"{err.server}: {err.message}", pos, severity, hint,
                      config=isinstance(err, Unreachable | Unauthorized))
