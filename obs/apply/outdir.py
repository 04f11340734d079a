"""out/ as apply reads it: the files out/manifest.json lists, refused when stale.

Like a saved Terraform plan, out/ is applied only as the sources make it: apply refuses when
a source changed, appeared or vanished since `obs compile`, when a file in out/ was edited
by hand, or when another version of obs compiled it. Files in out/ that the manifest does not
list are never applied.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from obs import __version__, codes
from obs.diagnostics import Diagnostic, Position
from obs.load.sources import expand_globs
from obs.project import PROJECT_FILE, Project
from obs.writer import MANIFEST

STALE = codes.define("AP001", "apply/stale-out",
                     "out/ does not match the sources (or was edited, or another obs compiled it): compile first.")
HINT = "run `obs compile`, review the change, then apply"


@dataclass
class OutDir:
    root: Path
    path: Path
    #: out/-relative path → compile target (prometheus, watcher, opensearch-monitor, ...)
    targets: dict[str, str] = field(default_factory=dict)

    def files(self, target: str, prefix: str = "") -> list[str]:
        """The out/ paths a compile target produced (optionally under a folder), sorted."""
        return sorted(p for p, t in self.targets.items() if t == target and p.startswith(prefix))

    def read(self, rel: str) -> bytes:
        return (self.path / rel).read_bytes()

    def text(self, rel: str) -> str:
        return self.read(rel).decode("utf-8")


def _sha(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def read_out(root: Path, project: Project) -> tuple[OutDir | None, list[Diagnostic]]:
    out = root / project.spec.outputDir
    rel_out = project.spec.outputDir.rstrip("/")
    manifest_pos = Position(f"{rel_out}/{MANIFEST}")
    try:
        doc = json.loads((out / MANIFEST).read_text("utf-8"))
        inputs = {i["path"]: i["sha256"] for i in doc["inputs"]}
        outputs = {o["path"]: (o["target"], o["sha256"]) for o in doc["outputs"]}
    except FileNotFoundError:
        return None, [Diagnostic(STALE, f"{rel_out}/ has no {MANIFEST}: nothing was compiled", manifest_pos,
                                 hint=HINT, config=True)]
    except (OSError, ValueError, KeyError, TypeError):
        return None, [Diagnostic(STALE, f"{rel_out}/{MANIFEST} cannot be read", manifest_pos, hint=HINT, config=True)]
    problems = []
    if doc.get("obs") != __version__:
        problems.append(Diagnostic(STALE, f"{rel_out}/ was compiled by obs {doc.get('obs')}, this is obs {__version__}",
                                   manifest_pos, hint=HINT, config=True))
    if doc.get("project") != project.name:
        problems.append(Diagnostic(STALE, f"{rel_out}/ was compiled for project {doc.get('project')!r}, "
                                   f"obs.yaml names {project.name!r}", manifest_pos, hint=HINT, config=True))
    for rel, sha in sorted(inputs.items()):
        now = _sha(root / rel)
        if now != sha:
            what = "was removed" if now is None else "changed"
            problems.append(Diagnostic(STALE, f"{rel} {what} since the last compile", Position(rel), hint=HINT,
                                       config=True))
    current, _ = expand_globs(root, project.spec.sources, exclude=(rel_out, PROJECT_FILE, ".git"))
    dashboards, _ = expand_globs(root, project.spec.dashboards, exclude=(rel_out,))
    for rel in sorted(set(current + dashboards) - set(inputs)):
        problems.append(Diagnostic(STALE, f"{rel} is new since the last compile", Position(rel), hint=HINT,
                                   config=True))
    for rel, (_, sha) in sorted(outputs.items()):
        if _sha(out / rel) != sha:
            problems.append(Diagnostic(STALE, f"{rel_out}/{rel} differs from what compile wrote (edited by hand?)",
                                       Position(f"{rel_out}/{rel}"), hint=HINT, config=True))
    if problems:
        return None, problems
    return OutDir(root, out, {p: t for p, (t, _) in outputs.items()}), []
