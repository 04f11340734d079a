"""`obs validate --env E`: the compiled definitions against E's live servers.

Builds in memory (the same pipeline as compile), resolves the environment, asks each server
once whether it answers, then runs every live check whose servers are defined and online.
Findings point at the definitions; a server that cannot be reached is one line at its
obs.yaml entry and exit 2 (SPEC §3), and the checks that needed it are listed as skipped.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from obs import codes
from obs.diagnostics import Diagnostic, ObsError, Severity
from obs.live import LiveCheck, runnable
from obs.live.clients import Clients
from obs.live.environment import SERVERS, resolve_environment
from obs.live.errors import LiveError, diagnostic_for, safe_url
from obs.pipeline import build, locate

SKIPPED = codes.define("LV000", "live/skipped", "A live check did not run: its server is not defined or offline.")


@dataclass
class Outcome:
    diags: list[Diagnostic] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (check, why)
    requests: int = 0
    #: "prometheus 2.42.0 at http://host:9090", for every server that answered
    servers: list[str] = field(default_factory=list)


def validate(project_dir: Path | None, env_name: str, targets: list[str] | None = None,
             on_check=None) -> Outcome:
    out = Outcome()
    try:
        root = locate(project_dir)
        result = build(root)
    except ObsError as e:
        out.diags = e.diagnostics
        return out
    if result.diags.has_errors:  # what does not compile cannot be validated
        out.diags = [d for d in result.diags.sorted() if d.severity is Severity.ERROR]
        return out
    env, problems = resolve_environment(result.project, env_name)
    out.diags.extend(problems)
    if env is None or any(p.severity is Severity.ERROR for p in problems):
        return out
    unknown = sorted(set(targets or ()) - {*SERVERS, "kubernetes"})
    if unknown:
        out.diags.append(Diagnostic(codes.CONFIG_USAGE, f"unknown --target {', '.join(unknown)}: use "
                                    f"{', '.join((*SERVERS, 'kubernetes'))}", config=True))
        return out
    clients = Clients(env)
    try:
        run, skip = runnable(env)
        out.skipped.extend((c.name, f"no {'/'.join(c.servers)} in environment {env_name!r}") for c in skip)
        chosen = [c for c in run if not targets or set(c.servers) & set(targets)]
        out.skipped.extend((c.name, "not selected by --target") for c in run if c not in chosen)
        for i, check in enumerate(chosen):
            if on_check is not None:
                on_check(check, i, len(chosen))
            _run(check, result, clients, out)
        out.diags.extend(s.problem for s in clients._status.values() if s.problem is not None)
        out.servers = [_describe(clients, name) for name, s in sorted(clients._status.items()) if s.online]
    finally:
        out.requests = clients.requests_sent()
        clients.close()
    return out


def _describe(clients: Clients, server: str) -> str:
    """The server, its version (from the preflight) and URL — never credentials."""
    found = _version(clients.status(server).info)
    session = clients._sessions.get(server)  # Kubernetes' session comes from the kubeconfig, not obs.yaml
    url = session.endpoint.url if session is not None else clients.endpoint(server).url
    return f"{server}{' ' + found if found else ''} at {safe_url(url)}"


def _version(info: object) -> str | None:
    if not isinstance(info, dict):
        return None
    found = info.get("version")  # Prometheus buildinfo
    if isinstance(found, dict):
        found = found.get("number")  # Elasticsearch / OpenSearch root
    if found is None:
        found = (info.get("versionInfo") or {}).get("version")  # Alertmanager status
    return found if isinstance(found, str) and found != "unknown" else None


def _run(check: LiveCheck, result, clients: Clients, out: Outcome) -> None:
    offline = [s for s in check.servers if s != "kubernetes" and not clients.online(s)]
    if offline:
        out.skipped.append((check.name, f"{', '.join(offline)} cannot be used (see above)"))
        return
    try:
        out.diags.extend(check.fn(result, clients))
        out.ran.append(check.name)
    except LiveError as e:  # the server failed mid-run: one line at its entry, its other checks skipped
        if e.server in clients.env.servers:
            clients.fail(e.server, e)
        else:
            out.diags.append(replace(diagnostic_for(e, clients.env.pos), config=True))
        out.skipped.append((check.name, f"{e.server} cannot be used (see above)"))


def render_summary(out: Outcome) -> str:
    """The closing lines on stderr: the servers asked, what ran, what was skipped and why
    (one line per reason), requests sent."""
    lines = [f"validate: {len(out.ran)} checks ran, {len(out.skipped)} skipped, {out.requests} requests sent"
             + (f" ({'; '.join(out.servers)})" if out.servers else "")]
    reasons: dict[str, list[str]] = {}
    for name, why in sorted(set(out.skipped)):
        reasons.setdefault(why, []).append(name)
    lines += [f"  skipped ({why}): {', '.join(names)}" for why, names in sorted(reasons.items())]
    return "\n".join(lines) + "\n"


def interactive(stream) -> bool:
    """A progress display only for a person at a terminal: never in CI, pipes or files."""
    if os.environ.get("CI") or os.environ.get("OBS_NO_PROGRESS") or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


@contextmanager
def progress(stream, enabled: bool) -> Iterator[Callable[[LiveCheck, int, int], None] | None]:
    """An `on_check` callback drawing a transient rich progress line on `stream`, or None."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    console = Console(file=stream, force_terminal=True)
    with Progress(SpinnerColumn(), TextColumn("validate: {task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("starting", total=None)

        def on_check(check: LiveCheck, done: int, total: int) -> None:
            bar.update(task, description=check.name, completed=done, total=total)

        yield on_check
