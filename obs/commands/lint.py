"""`obs lint`: every static check, no network, nothing written (but --output)."""

from __future__ import annotations

from pathlib import Path

from obs.checks import load_all
from obs.codes import all_codes
from obs.diagnostics import Diagnostic, ObsError
from obs.pipeline import build, locate


def lint(project_dir: Path | None, paths: list[str] | None) -> list[Diagnostic]:
    try:
        root = locate(project_dir)
        return build(root, paths=paths).diags.sorted()
    except ObsError as e:
        return e.diagnostics


def list_checks() -> str:
    load_all()
    from obs import targets  # noqa: F401  (targets define their codes on import)
    for name in targets.MODULES.values():
        try:
            __import__(f"obs.targets.{name}")
        except ModuleNotFoundError:
            pass
    rows = [f"{c.code}  {c.name:<32} {c.doc}" for c in all_codes()]
    return "\n".join(rows) + "\n"
