"""`obs validate --env E`: the compiled definitions against E's live servers.

Builds in memory (the same pipeline as compile), resolves the environment, asks each server
once whether it answers, then runs every live check whose servers are defined and online.
Findings point at the definitions; a server that cannot be reached is one line at its
obs.yaml entry and exit 2 (SPEC §3), and the checks that needed it are listed as skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from obs import codes
from obs.diagnostics import Diagnostic, ObsError, Severity
from obs.live import LiveCheck, runnable
from obs.live.clients import Clients
from obs.live.environment import SERVERS, resolve_environment
from obs.live.errors import LiveError, diagnostic_for
from obs.pipeline import build, locate

SKIPPED = codes.define("LV000", "live/skipped", "A live check did not run: its server is not defined or offline.")


@dataclass
class Outcome:
    diags: list[Diagnostic] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (check, why)
    requests: int = 0


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
        for check in run:
            if targets and not set(check.servers) & set(targets):
                out.skipped.append((check.name, "not selected by --target"))
                continue
            if on_check is not None:
                on_check(check)
            _run(check, result, clients, out)
        out.diags.extend(s.problem for s in clients._status.values() if s.problem is not None)
    finally:
        out.requests = clients.requests_sent()
        clients.close()
    return out


def _run(check: LiveCheck, result, clients: Clients, out: Outcome) -> None:
    offline = [s for s in check.servers if s != "kubernetes" and not clients.online(s)]
    if offline:
        out.skipped.append((check.name, f"{', '.join(offline)} cannot be reached"))
        return
    try:
        out.diags.extend(check.fn(result, clients))
        out.ran.append(check.name)
    except LiveError as e:  # a check that could not finish: one line, at the server's entry
        endpoint = clients.env.servers.get(e.server)
        out.diags.append(diagnostic_for(e, endpoint.pos if endpoint else clients.env.pos))
        out.skipped.append((check.name, f"stopped: {e.message}"))


def render_summary(out: Outcome) -> str:
    """The closing lines on stderr: what ran, what was skipped and why, requests sent."""
    lines = [f"validate: {len(out.ran)} checks ran, {len(out.skipped)} skipped, {out.requests} requests sent"]
    lines += [f"  skipped {name}: {why}" for name, why in sorted(set(out.skipped))]
    return "\n".join(lines) + "\n"
