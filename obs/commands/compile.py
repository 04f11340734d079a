"""`obs compile`: lint, then write out/ — only when there is no error. With the cache on,
inputs identical to an earlier compile's give its out/ bytes without a build (obs.buildcache)."""

from __future__ import annotations

from pathlib import Path

from obs.diagnostics import Diagnostic, ObsError
from obs.pipeline import build, build_cache, examined, inputs, locate
from obs.targets import Artifact
from obs.writer import WriteResult, manifest, write_out


def compile_project(project_dir: Path | None, targets: list[str] | None = None, cache: bool = False
                    ) -> tuple[list[Diagnostic], WriteResult | None, Path | None]:
    try:
        root = locate(project_dir)
        store = build_cache(root, cache)
        hit = store.get("compile", targets) if store else None
        if hit is not None:
            return _from_cache(root / store.project.spec.outputDir, hit)
        result = build(root, targets=targets, cache=cache)
    except ObsError as e:
        return e.diagnostics, None, None
    diags = result.diags.sorted()
    if result.diags.has_errors:
        if store:
            store.put("compile", targets, examined(result), diags)
        return diags, None, None
    out = root / result.project.spec.outputDir
    manifest_bytes = manifest(result.project.name, inputs(result), result.artifacts)
    if store:
        store.put("compile", targets, examined(result), diags,
                  [(a.path, a.target, a.content) for a in result.artifacts], manifest_bytes)
    written = write_out(out, result.artifacts, manifest_bytes)
    return diags, written, out


def _from_cache(out: Path, hit) -> tuple[list[Diagnostic], WriteResult | None, Path | None]:
    if hit.artifacts is None:
        return hit.diags, None, None  # the recorded compile stopped at errors
    artifacts = [Artifact(path, content, target) for path, target, content in hit.artifacts]
    return hit.diags, write_out(out, artifacts, hit.manifest), out
