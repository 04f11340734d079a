"""Live validation: one client per server, and checks that use them (`obs validate`).

An environment of obs.yaml is resolved into concrete endpoints (environment.py) — `{env:
NAME}` read now, never printed; `Clients` (clients.py) builds one Session per server on
demand, with a preflight; each live check is a registered unit like a lint check, in
obs/live/checks/, naming the servers it needs, so `obs validate` runs the checks whose
servers the environment defines and answer, and says which it skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from obs import codes
from obs.diagnostics import Diagnostic

if TYPE_CHECKING:
    from obs.live.clients import Clients
    from obs.live.environment import ResolvedEnvironment
    from obs.pipeline import Build

#: a live check: the in-memory build (Catalog + Artifacts) and the environment's clients
LiveFn = Callable[["Build", "Clients"], Iterable[Diagnostic]]


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
    load_all()
    run, skip = [], []
    for c in sorted(_LIVE.values(), key=lambda c: c.code):
        (run if all(_defined(env, s) for s in c.servers) else skip).append(c)
    return run, skip


def _defined(env: ResolvedEnvironment, server: str) -> bool:
    return server in env.servers or (server == "kubernetes" and env.kube_context is not None)


def load_all() -> None:
    """Import every module of obs/live/checks/ so its checks register (as obs/checks does)."""
    import importlib
    import pkgutil

    from obs.live import checks
    for mod in pkgutil.iter_modules(checks.__path__):
        importlib.import_module(f"obs.live.checks.{mod.name}")
