"""The servers of one environment, as Sessions built on demand, each asked once whether it
is up (a preflight) before any check uses it.

An offline server is one diagnostic at its obs.yaml line, and the checks that need it are
listed as skipped — never one "cannot connect" per rule (EDGES.md: what pint does wrong).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from obs.diagnostics import Diagnostic
from obs.live.environment import Endpoint, ResolvedEnvironment
from obs.live.errors import LiveError, diagnostic_for
from obs.live.http import Policy, Session

#: server → a function asking it something cheap, returning what it said (its version, …)
Preflight = Callable[[Session], Any]
_PREFLIGHTS: dict[str, Preflight] = {}


def preflight(server: str) -> Callable[[Preflight], Preflight]:
    """Register the preflight of a server kind (the module of its client does this)."""
    def register(fn: Preflight) -> Preflight:
        _PREFLIGHTS[server] = fn
        return fn
    return register


@dataclass
class ServerStatus:
    online: bool
    info: Any = None  # what the preflight returned (e.g. build info)
    problem: Diagnostic | None = None


@dataclass
class Clients:
    env: ResolvedEnvironment
    policy: Policy = field(default_factory=Policy)
    _sessions: dict[str, Session] = field(default_factory=dict)
    _status: dict[str, ServerStatus] = field(default_factory=dict)
    _clients: dict[tuple[str, type], Any] = field(default_factory=dict)

    def defined(self, server: str) -> bool:
        return server in self.env.servers

    def endpoint(self, server: str) -> Endpoint:
        return self.env.servers[server]

    def session(self, server: str) -> Session:
        if server not in self._sessions:
            self._sessions[server] = Session(self.env.servers[server], self.policy)
        return self._sessions[server]

    def add(self, server: str, session: Session) -> Session:
        """A Session built elsewhere (Kubernetes': from a kubeconfig), closed and counted with the rest."""
        return self._sessions.setdefault(server, session)

    def client(self, server: str, kind: type) -> Any:
        """One instance of a client class (taking a Session) per server, shared by all checks."""
        key = (server, kind)
        if key not in self._clients:
            self._clients[key] = kind(self.session(server))
        return self._clients[key]

    def status(self, server: str) -> ServerStatus:
        """Ask the server once whether it answers; the answer is kept for the run."""
        if server not in self._status:
            fn = _PREFLIGHTS.get(server)
            if fn is None:
                self._status[server] = ServerStatus(True)
            else:
                try:
                    self._status[server] = ServerStatus(True, fn(self.session(server)))
                except LiveError as e:
                    self.fail(server, e)
        return self._status[server]

    def fail(self, server: str, err: LiveError) -> Diagnostic:
        """Take a server out of use for the rest of the run: one line at its obs.yaml entry, and
        its remaining checks skipped. Whatever the cause (down, refused, 5xx), validation could
        not be done, which is exit 2, not a finding about the definitions."""
        known = self._status.get(server)
        if known is not None and known.problem is not None:
            return known.problem
        diag = replace(diagnostic_for(err, self.env.servers[server].pos), config=True)
        self._status[server] = ServerStatus(False, None, diag)
        return diag

    def online(self, server: str) -> bool:
        return self.defined(server) and self.status(server).online

    def requests_sent(self) -> int:
        return sum(s.sent for s in self._sessions.values())

    def close(self) -> None:
        for s in self._sessions.values():
            s.close()
