"""`obs compile`: lint, then write out/ — only when there is no error."""

from __future__ import annotations

from pathlib import Path

from obs.diagnostics import Diagnostic, ObsError
from obs.pipeline import build, inputs, locate
from obs.writer import WriteResult, manifest, write_out


def compile_project(project_dir: Path | None, targets: list[str] | None = None, cache: bool = False
                    ) -> tuple[list[Diagnostic], WriteResult | None, Path | None]:
    try:
        root = locate(project_dir)
        result = build(root, targets=targets, cache=cache)
    except ObsError as e:
        return e.diagnostics, None, None
    if result.diags.has_errors:
        return result.diags.sorted(), None, None
    out = root / result.project.spec.outputDir
    written = write_out(out, result.artifacts, manifest(result.project.name, inputs(result), result.artifacts))
    return result.diags.sorted(), written, out
