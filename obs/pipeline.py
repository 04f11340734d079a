"""The one way through: load → parse → resolve → compile (in memory) → checks.

`obs lint` runs all of it and writes nothing; `obs compile` then hands the artifacts to the
writer. Every stage adds Diagnostics to one collector; nothing here prints.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from obs import codes, rulegen, suppress
from obs.catalog import Catalog
from obs.diagnostics import Diagnostic, Diagnostics, ObsError
from obs.load.foreign import adapt_all
from obs.load.parse import Definitions, parse_documents
from obs.load.sources import SourceSet, expand_globs, load_project, read_sources
from obs.project import PROJECT_FILE, Project, find_root
from obs.resolve import resolve
from obs.targets import Artifact, emitter


@dataclass
class Build:
    root: Path
    project: Project
    sources: SourceSet
    defs: Definitions
    catalog: Catalog
    diags: Diagnostics
    artifacts: list[Artifact] = field(default_factory=list)
    #: files findings pointed at before suppression (their comments were read): cache inputs
    examined: set[str] = field(default_factory=set)


def locate(path: Path | None) -> Path:
    root = find_root(path or Path.cwd())
    if root is None:
        raise ObsError(Diagnostic(codes.CONFIG_MISSING, f"no obs.yaml in {path or Path.cwd()} or any parent folder",
                                  hint="run `obs init` to create one", config=True))
    return root


#: targets that report nothing and whose output no check reads: `obs lint` (render=False)
#: does not build them (tests/unit/test_buildcache.py holds lint's findings to compile's)
UNREAD_TARGETS = frozenset({"prometheus"})


def build(root: Path, targets: list[str] | None = None, run_checks: bool = True, cache: bool = False,
          render: bool = True) -> Build:
    """Everything short of writing out/. Raises ObsError only when obs.yaml itself is unusable.
    `cache`: reuse the loaded documents of unchanged files (obs.load.doccache). `render=False`:
    leave out UNREAD_TARGETS, for a lint that writes nothing."""
    project, problems = load_project(root)
    if project is None or any(d.severity.value == "error" for d in problems):
        raise ObsError(*problems)
    diags = Diagnostics()
    diags.extend(problems)
    if cache:
        from obs.load.doccache import DocCache
    sources = read_sources(root, project, diags, DocCache() if cache else None)
    documents = adapt_all(sources.documents, diags)
    defs = parse_documents(documents, diags)
    defs.unloaded = list(sources.unloaded)
    dashboards, _ = expand_globs(root, project.spec.dashboards, exclude=(project.spec.outputDir,))
    catalog = resolve(root, project, defs, diags, tuple(dashboards))
    result = Build(root, project, sources, defs, catalog, diags)
    wanted = targets or list(project.spec.targets)
    result.artifacts = compile_targets(catalog, diags, wanted if render else [t for t in wanted
                                                                              if t not in UNREAD_TARGETS])
    if run_checks:
        from obs.checks import run_all
        diags.extend(run_all(result))
        result.examined = {d.pos.file for d in diags.items if d.pos is not None}
        diags.items = suppress.apply(_superseded_dropped(diags.items), root)
    return result


def _superseded_dropped(items: list[Diagnostic]) -> list[Diagnostic]:
    """A literal secret is one problem: the secret finding says more than the type error."""
    secrets = {d.pos for d in items if d.code == "SE001"}
    return [d for d in items if not (d.code == codes.SCHEMA_TYPE and d.pos in secrets)]


def build_cache(root: Path, cache: bool):
    """The whole-build cache of this project (obs.buildcache), or None: not asked for, or
    obs.yaml unusable (build reports that)."""
    if not cache:
        return None
    project, problems = load_project(root)
    if project is None or any(d.severity.value == "error" for d in problems):
        return None
    from obs.buildcache import BuildCache
    return BuildCache(root, project)


def examined(result: Build) -> dict[str, str | None]:
    """Every file the build read (with the hash of the bytes it read, where it kept one) or a
    finding of it points at (None)."""
    return {**dict.fromkeys(result.examined), **inputs(result), **result.sources.hashes}


def inputs(result: Build) -> dict[str, str]:
    """Every file compile reads, with its hash: obs.yaml, the sources, dashboard files and
    the workload manifests SkyWalking patches."""
    hashes = dict(result.sources.hashes)
    extra = {PROJECT_FILE, *result.catalog.dashboard_files}
    extra |= {s.workload.file for s in result.catalog.services.values() if s.workload.file}
    for rel in sorted(extra - hashes.keys()):
        try:
            hashes[rel] = hashlib.sha256((result.root / rel).read_bytes()).hexdigest()
        except OSError:
            continue  # reported where the file is used
    return dict(sorted(hashes.items()))


def compile_targets(catalog: Catalog, diags: Diagnostics, targets: list[str]) -> list[Artifact]:
    artifacts: list[Artifact] = []
    for target in targets:
        fn = emitter(target)
        if fn is None:
            diags.warning(codes.CONFIG_UNKNOWN_TARGET, f"target {target!r} is not built in this version of obs yet",
                          catalog.project.spec.pos_of("targets"))
            continue
        artifacts.extend(fn(catalog, diags))
    rulegen.forget()  # the rule groups the targets shared: not kept through checks and writing
    seen: dict[str, Artifact] = {}
    for a in artifacts:
        if a.path in seen and seen[a.path].content != a.content:
            diags.error(codes.CONFIG_INVALID, f"two outputs would be written to out/{a.path} "
                        f"({seen[a.path].target} and {a.target})", a.sources[0].pos if a.sources else None)
        seen[a.path] = a
    return sorted(seen.values(), key=lambda a: a.path)
