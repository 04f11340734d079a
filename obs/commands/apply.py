"""`obs diff` and `obs apply`: one plan, computed the same way for both.

out/ is read as the last compile wrote it (refused when stale); the environment's targets each
get a pusher; each states what out/ wants and observes what is there; one pure plan() compares
them. diff prints it; apply prints it and carries it out (obs.apply.executor). Every line printed
passes through the scrub of the values filled in this run.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from obs import codes
from obs.apply import Plan, TargetPlan
from obs.apply.bootstrap import BootstrapPusher, read_dir
from obs.apply.executor import Outcome, execute
from obs.apply.outdir import read_out
from obs.apply.plan import digest, plan
from obs.apply.pusher import UNCONFIGURED, Context, Pusher, load_all
from obs.apply.render import Progress, plan_text, summary
from obs.apply.secrets import Secrets
from obs.diagnostics import Diagnostic, ObsError, Position, Severity
from obs.live.clients import Clients
from obs.live.environment import resolve_environment
from obs.live.errors import LiveError, diagnostic_for
from obs.load.sources import load_project
from obs.pipeline import locate

CONFLICT = codes.define("AP003", "apply/conflict",
                        "out/ wants an object that exists on the target and is not this project's: obs never "
                        "overwrites it.")


@dataclass
class Run:
    """What one diff/apply found: its diagnostics, the plan (when one could be made) and the outcome."""

    diags: list[Diagnostic] = field(default_factory=list)
    plan: Plan | None = None
    outcome: Outcome | None = None
    secrets: Secrets = field(default_factory=Secrets)
    project: str = ""

    @property
    def failed_config(self) -> bool:
        return any(d.config and d.severity is Severity.ERROR for d in self.diags)


def make_plan(project_dir: Path | None, env_name: str, targets: list[str] | None, prune: bool,
              secrets: Secrets | None = None, bootstrap: Path | None = None
              ) -> tuple[Run, dict[str, Pusher], Clients | None]:
    run = Run(secrets=secrets or Secrets())
    try:
        root = locate(project_dir)
    except ObsError as e:
        run.diags = e.diagnostics
        return run, {}, None
    project, problems = load_project(root)
    run.diags.extend(problems)
    if project is None or any(d.severity is Severity.ERROR for d in problems):
        return run, {}, None
    run.project = project.name
    env, problems = resolve_environment(project, env_name)
    run.diags.extend(problems)
    if env is None or run.failed_config:
        return run, {}, None
    out, stale = read_out(root, project) if bootstrap is None else read_dir(root, bootstrap, project)
    run.diags.extend(stale)
    if out is None:
        return run, {}, None
    environment = project.spec.environments[env_name]
    registry = load_all()
    if bootstrap is None:
        chosen, skipped = _select(registry, environment, project, targets, run)
    else:  # one target: the kubernetes pusher, told DIR's objects
        registry = {"kubernetes": BootstrapPusher}
        chosen, skipped = _select(registry, environment, project, targets or ["kubernetes"], run)
    source = "out/" if bootstrap is None else f"{out.shown}/"
    if run.failed_config:
        return run, {}, None
    clients = Clients(env)
    ctx = Context(project, env_name, environment, env, out, clients, run.secrets)
    pushers = {name: registry[name](ctx) for name in chosen}
    wanted = {name: p.desired() for name, p in pushers.items()} if not ctx.problems else {}
    run.diags.extend(ctx.problems)
    if run.failed_config:
        return run, pushers, clients
    plans = []
    for name in sorted(set(chosen) | set(skipped), key=lambda n: (registry[n].order, n)):
        if name in skipped:
            plans.append(TargetPlan(name, skipped=skipped[name]))
            continue
        p = pushers[name]
        try:
            observed = p.observe(set(wanted[name]))
        except LiveError as e:
            d = diagnostic_for(e, p.pos() or env.pos, hint=getattr(e, "hint", None))
            run.diags.append(Diagnostic(d.code, run.secrets.scrub(d.message), d.pos, d.severity, d.hint, True))
            continue
        changes = plan(name, wanted[name], observed, prune, project.name, source)
        plans.append(TargetPlan(name, changes, digest(observed), p.where(), notes=tuple(p.plan_notes())))
    if not run.failed_config:
        run.plan = Plan(env_name, tuple(plans), prune, source)
    return run, pushers, clients


def _select(registry: dict, environment, project, targets: list[str] | None,
            run: Run) -> tuple[list[str], dict[str, str]]:
    """The targets to plan and, for the others, why not. A target asked for by name (--target or
    the environment's `apply:` list) that cannot be planned is a configuration error."""
    known = ", ".join(registry)
    unknown = sorted(set(targets or ()) - set(registry))
    if unknown:
        run.diags.append(Diagnostic(codes.CONFIG_USAGE, f"unknown --target {', '.join(unknown)}: use {known}",
                                    config=True))
        return [], {}
    listed = environment.apply
    bad = sorted(set(listed or ()) - set(registry))
    if bad:
        run.diags.append(Diagnostic(UNCONFIGURED, f"apply names unknown targets {', '.join(bad)}: use {known}",
                                    environment.pos_of("apply"), config=True))
        return [], {}
    explicit = set(targets or listed or ())
    chosen, skipped = [], {}
    for name, cls in registry.items():
        if targets and name not in targets:
            continue
        if listed is not None and not targets and name not in listed:
            skipped[name] = "not in this environment's apply: list"
            continue
        why = cls.configured(environment, project)
        if why is None:
            chosen.append(name)
        elif getattr(environment, cls.section or name, None) is None and name not in explicit:
            continue
        elif name in explicit:
            pos = environment.pos_of(name) if getattr(environment, name, None) is not None else environment.pos
            run.diags.append(Diagnostic(UNCONFIGURED, f"target {name} cannot be applied: {why}", pos, config=True))
        else:
            skipped[name] = why
    return chosen, skipped


def _emit(run: Run) -> None:
    from obs.commands.common import emit
    emit([Diagnostic(d.code, run.secrets.scrub(d.message), d.pos, d.severity,
                     run.secrets.scrub(d.hint) if d.hint else None, d.config) for d in run.diags], quiet_ok=True)


def _code(run: Run) -> int:
    from obs.diagnostics import exit_code
    return exit_code(run.diags)


def diff(project_dir: Path | None, env_name: str, targets: list[str] | None, prune: bool, verbose: bool,
         bootstrap: Path | None = None) -> int:
    """Exit 0 without changes, 1 with changes (or conflicts), 2 when no plan could be made."""
    run, _, clients = make_plan(project_dir, env_name, targets, prune, bootstrap=bootstrap)
    try:
        if run.plan is not None:
            sys.stdout.write(run.secrets.scrub(plan_text(run.plan, run.project, verbose)))
        _emit(run)
        if run.plan is None or _code(run) == 2:
            return 2
        return 1 if (not run.plan.empty or run.plan.conflicts) else 0
    finally:
        if clients is not None:
            clients.close()


def apply(project_dir: Path | None, env_name: str, targets: list[str] | None, prune: bool, verbose: bool,
          dry_run: bool, bootstrap: Path | None = None) -> int:
    """Exit 0 applied (or nothing to apply), 1 a failed or refused apply, 2 configuration or unreachable."""
    run, pushers, clients = make_plan(project_dir, env_name, targets, prune, bootstrap=bootstrap)
    try:
        if run.plan is None or run.failed_config:
            _emit(run)
            return 2
        sys.stdout.write(run.secrets.scrub(plan_text(run.plan, run.project, verbose)))
        for c in run.plan.conflicts:
            special = getattr(pushers.get(c.target), "conflict_hint", lambda _: None)(c)
            run.diags.append(Diagnostic(CONFLICT, f"{c.target}: {c.key} {c.reason}; nothing was applied",
                                        Position(c.origin) if c.origin else None,
                                        hint=special or (c.observed.hint if c.observed is not None and c.observed.hint
                                                         else "remove or rename the other object, or rename this "
                                                              "one in the sources")))
        if run.plan.conflicts or dry_run or run.plan.empty:
            if dry_run and not run.plan.conflicts:
                sys.stdout.write("Dry run: nothing was applied.\n")
            _emit(run)
            return _code(run)
        progress = Progress(run.secrets.scrub)
        try:
            run.outcome = execute(run.plan, pushers, progress, run.secrets.scrub)
        finally:
            progress.close()
        order = {t.target: i for i, t in enumerate(run.plan.targets)}
        run.outcome.results.sort(key=lambda r: order.get(r.target, 99))
        sys.stdout.write(run.secrets.scrub(summary(run.outcome, sys.stdout.isatty())))
        run.diags.extend(run.outcome.diags)
        _emit(run)
        return _code(run)
    finally:
        if clients is not None:
            clients.close()
