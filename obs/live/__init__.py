"""Live validation: one client per server, and checks that use them (`obs validate`).

The seam, built before the clients: an environment of obs.yaml is resolved into concrete
endpoints (environment.py) — `{env: NAME}` read now, never printed — and each live check is
a registered unit like a lint check, naming the servers it needs, so `obs validate` can run
the checks whose servers an environment defines and say which it skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from obs import codes
from obs.diagnostics import Diagnostic

if TYPE_CHECKING:
    from obs.live.environment import ResolvedEnvironment
    from obs.pipeline import Build

LiveFn = Callable[["Build", "ResolvedEnvironment"], Iterable[Diagnostic]]


@dataclass(frozen=True)
class LiveCheck:
    code: str
    name: str
    doc: str
    servers: tuple[str, ...]
    fn: LiveFn


_LIVE: dict[str, LiveCheck] = {}


def live_check(code: str, name: str, doc: str, servers: tuple[str, ...]) -> Callable[[LiveFn], LiveFn]:
    """Register a live check; it runs only when the environment defines all of `servers`."""
    codes.define(code, name, doc)

    def register(fn: LiveFn) -> LiveFn:
        _LIVE[code] = LiveCheck(code, name, doc, servers, fn)
        return fn
    return register


def runnable(env: ResolvedEnvironment) -> tuple[list[LiveCheck], list[LiveCheck]]:
    """(checks this environment can run, checks skipped for want of a server)."""
    run, skip = [], []
    for c in sorted(_LIVE.values(), key=lambda c: c.code):
        (run if all(s in env.servers for s in c.servers) else skip).append(c)
    return run, skip
