"""`obs bootstrap --profile P -o DIR`: compile in memory, hand what was compiled and the
parameters to the profile's jsonnet, write its files to DIR (atomic, deterministic, tidy)."""

from __future__ import annotations

import copy
from pathlib import Path

from obs.bootstrap import (EVALUATION, IMPORT_OUTSIDE, LEFT_OUT, OUTPUT, SELECTION, UNKNOWN_ENVIRONMENT,
                           UNKNOWN_PROFILE, facts, params, render)
from obs.bootstrap.jsonnet import JsonnetError, evaluate
from obs.diagnostics import Diagnostic, ObsError, Severity
from obs.pipeline import build, inputs, locate
from obs.resources import resource_dir
from obs.writer import WriteResult, manifest, write_out


def profiles(root: Path | None = None) -> list[str]:
    root = root or resource_dir("manifests")
    return sorted(p.name for p in root.iterdir()
                  if (p / "main.jsonnet").is_file() and (p / "params.libsonnet").is_file())


def bootstrap(project_dir: Path | None, profile: str, out: Path, sets: list[str], env: str | None
              ) -> tuple[list[Diagnostic], WriteResult | None]:
    manifests = resource_dir("manifests")
    known = profiles(manifests)
    if profile not in known:
        return [Diagnostic(UNKNOWN_PROFILE, f"unknown profile {profile!r}", config=True,
                           hint=f"profiles: {', '.join(known)}")], None
    parsed = [params.parse_set(s) for s in sets]
    bad = [p for p in parsed if isinstance(p, Diagnostic)]
    if bad:
        return bad, None
    try:
        root = locate(project_dir)
        # compile's targets without its checks: bootstrap writes no out/, and `obs lint`/`obs compile`
        # check what the stack will load
        result = build(root, run_checks=False)
    except ObsError as e:
        return e.diagnostics, None
    if result.diags.has_errors:
        return result.diags.sorted(), None
    spec = result.project.spec
    pos = spec.pos_of("bootstrap")
    if env is not None and env not in spec.environments:
        return [Diagnostic(UNKNOWN_ENVIRONMENT, f"no environment {env!r} in obs.yaml", spec.pos_of("environments"),
                           hint=f"environments: {', '.join(sorted(spec.environments)) or 'none'}", config=True)], None
    problems = [Diagnostic(UNKNOWN_PROFILE, f"spec.bootstrap.{name}: there is no profile {name!r}", pos,
                           hint=f"profiles: {', '.join(known)}", config=True)
                for name in sorted(spec.bootstrap) if name not in known]
    destination = out.resolve()
    if destination == (root / spec.outputDir).resolve():
        problems.append(Diagnostic(OUTPUT, f"-o {out} is the project's compile output ({spec.outputDir}/)",
                                   hint="bootstrap into a folder of its own, e.g. -o stack", config=True))
    elif destination.exists() and not destination.is_dir():
        problems.append(Diagnostic(OUTPUT, f"-o {out} is a file, not a folder", config=True))
    if problems:
        return problems, None
    told = facts.facts(result, spec.environments.get(env) if env else None)
    folder = manifests / profile
    try:
        defaults = evaluate(manifests, folder / "params.libsonnet", obs=told)
        chosen = _chosen(defaults, spec.bootstrap.get(profile, {}), parsed, pos)
        if isinstance(chosen, Diagnostic):
            return [chosen], None
        rendered = evaluate(manifests, folder / "main.jsonnet", obs=told, params=chosen)
    except JsonnetError as e:
        code = IMPORT_OUTSIDE if e.refused else EVALUATION
        return [Diagnostic(code, f"profile {profile}: jsonnet: {e.message}", config=True,
                           hint="a parameter value the profile cannot use, or a bug in obs's manifests/")], None
    diags = [Diagnostic(SELECTION, f"profile {profile}: {w}", severity=Severity.WARNING)
             for w in rendered.get("warnings", [])]
    diags += [Diagnostic(LEFT_OUT, f"profile {profile}: {n}", severity=Severity.INFO)
              for n in rendered.get("notes", [])]
    artifacts = render.artifacts(rendered["files"], profile, result.project.name)
    written = write_out(destination, artifacts, manifest(result.project.name, inputs(result), artifacts))
    return diags, written


def _chosen(defaults: dict, configured: dict, sets: list, pos) -> dict | Diagnostic:
    chosen: dict = copy.deepcopy(defaults)
    for path, value in params.flatten(configured, defaults):
        problem = params.apply(chosen, defaults, path, value, f"obs.yaml spec.bootstrap: {'.'.join(path)}", pos)
        if problem:
            return problem
    for path, value, raw in sets:
        problem = params.apply(chosen, defaults, path, value, f"--set {'.'.join(path)}={raw}", None, raw)
        if problem:
            return problem
    return chosen
