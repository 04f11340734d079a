"""A content-hash cache of whole builds: `obs lint` or `obs compile` of a project whose
inputs are byte for byte those of an earlier run returns that run's diagnostics (and out/
bytes) without building anything.

An entry records what the build depended on and is used only when all of it still holds:
obs's own code and data (every file of the package and of rules/, dashboards/, manifests/,
with the Python and library versions), the command and its targets, the files the source
and dashboard globs find (and the unread YAML beside them), and the sha256 of every file
read — obs.yaml, sources, dashboards, workload manifests and any file a finding points at
(suppression comments live there). Anything else is a miss and a full build. A project
with dashboards as code (.py, .jsonnet) is never cached: such code may read any file.

Entries are JSON named by (project folder, command, targets); output bytes are stored once
each by their sha256 and checked against it when read. Everything is written atomically;
an entry or blob that is missing, corrupt or of another format is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from obs import __version__
from obs.diagnostics import Diagnostic, Position, Severity
from obs.load.doccache import _write, default_dir
from obs.load.sources import expand_globs, unread_yaml
from obs.project import PROJECT_FILE, Project

FORMAT = "obs-build-1"
_PKG = Path(__file__).resolve().parent
#: shipped data beside the package (obs.resources) that builds read
_DATA = ("rules", "dashboards", "manifests")
_LIBS = ("pydantic", "pydantic-core", "promql-parser", "PyYAML", "ruamel.yaml", "jsonnet", "grafanalib")


@cache
def code_hash() -> str:
    """obs's code and data as installed: a changed obs (even at the same version) misses every entry."""
    h = hashlib.sha256(f"{FORMAT}\0{__version__}\0{sys.version}\0".encode())
    from importlib import metadata
    for lib in _LIBS:
        try:
            h.update(f"{lib}={metadata.version(lib)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{lib}=-\0".encode())
    folders = [_PKG] + [d for name in _DATA for d in (_PKG / "_data" / name, _PKG.parent / name) if d.is_dir()]
    for folder in folders:
        for here, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
            for name in sorted(names):
                if name.endswith((".pyc", ".pyo")) or name.startswith("."):
                    continue
                path = Path(here) / name
                h.update(str(path.relative_to(folder.parent)).encode() + b"\0")
                try:
                    h.update(hashlib.sha256(path.read_bytes()).digest())
                except OSError:
                    h.update(b"-")
    return h.hexdigest()


def discovery(root: Path, project: Project) -> dict[str, list[str]] | None:
    """What the globs find now; None when the project cannot be cached (dashboards as code)."""
    out_dir = project.spec.outputDir
    files, _ = expand_globs(root, project.spec.sources, exclude=(out_dir, PROJECT_FILE, ".git"))
    dashboards, _ = expand_globs(root, project.spec.dashboards, exclude=(out_dir,))
    if any(not d.endswith(".json") for d in dashboards):
        return None
    return {"sources": files, "unread": unread_yaml(root, project, files), "dashboards": dashboards}


def file_hash(root: Path, rel: str) -> str | None:
    try:
        return hashlib.sha256((root / rel).read_bytes()).hexdigest()
    except (OSError, ValueError):
        return None


@dataclass
class Hit:
    diags: list[Diagnostic]
    #: (path, target, content) of each output, and the manifest; None for a lint entry
    artifacts: list[tuple[str, str, bytes]] | None
    manifest: bytes | None


class BuildCache:
    def __init__(self, root: Path, project: Project, folder: Path | None = None) -> None:
        self.root, self.project = root, project
        self.folder = folder or default_dir()
        self.found = discovery(root, project)
        self.project_hash = file_hash(root, PROJECT_FILE)  # before the build: see put

    def _entry(self, kind: str, targets: list[str] | None) -> Path:
        name = json.dumps([FORMAT, str(self.root.resolve()), kind, targets or None])
        return self.folder / "builds" / f"{hashlib.sha256(name.encode()).hexdigest()}.json"

    def _blob(self, sha: str) -> Path:
        return self.folder / "blobs" / sha[:2] / sha[2:]

    def get(self, kind: str, targets: list[str] | None) -> Hit | None:
        """The result of an earlier build of exactly these inputs, or None."""
        if self.found is None:
            return None
        try:
            entry = json.loads(self._entry(kind, targets).read_bytes())
            if entry["format"] != FORMAT or entry["code"] != code_hash() or entry["found"] != self.found:
                return None
            if any(file_hash(self.root, rel) != sha for rel, sha in entry["inputs"].items()):
                return None
            diags = [_dec_diag(d) for d in entry["diags"]]
            if entry["artifacts"] is None:
                return Hit(diags, None, None)
            artifacts = [(path, target, self._read_blob(sha)) for path, target, sha in entry["artifacts"]]
            return Hit(diags, artifacts, self._read_blob(entry["manifest"]))
        except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
            return None  # absent, broken or foreign: built afresh and rewritten

    def _read_blob(self, sha: str) -> bytes:
        data = self._blob(sha).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha:
            raise ValueError("blob does not match its name")
        return data

    def put(self, kind: str, targets: list[str] | None, inputs: dict[str, str | None], diags: list[Diagnostic],
            artifacts: list[tuple[str, str, bytes]] | None = None, manifest: bytes | None = None) -> None:
        """Record a build. `inputs`: the files (relative to the project) it read, with the hash of
        the bytes it read where known (None: hashed now). A file that changed while the build ran
        (its bytes now are not those read) means no entry: it would pair new bytes with old output."""
        if self.found is None:
            return
        now = {rel: file_hash(self.root, rel) for rel in sorted(set(inputs) | {PROJECT_FILE})}
        read = dict(inputs, **{PROJECT_FILE: self.project_hash})
        if any(read.get(rel) is not None and read[rel] != sha for rel, sha in now.items()):
            return
        if discovery(self.root, self.project) != self.found:
            return
        listed: Any = None
        if artifacts is not None and manifest is not None:
            listed = [[path, target, self._put_blob(content)] for path, target, content in artifacts]
            manifest_sha = self._put_blob(manifest)
        entry = {"format": FORMAT, "code": code_hash(), "found": self.found,
                 "inputs": now,
                 "diags": [_enc_diag(d) for d in diags], "artifacts": listed,
                 "manifest": manifest_sha if listed is not None else None}
        _write(self._entry(kind, targets), json.dumps(entry, separators=(",", ":")).encode("utf-8"))

    def _put_blob(self, content: bytes) -> str:
        sha = hashlib.sha256(content).hexdigest()
        path = self._blob(sha)
        try:
            if path.read_bytes() == content:
                return sha
        except OSError:
            pass
        _write(path, content)  # absent, or broken: a broken blob would make every later run miss
        return sha


def _enc_diag(d: Diagnostic) -> list:
    pos = [d.pos.file, d.pos.line, d.pos.col] if d.pos else None
    return [d.code, d.message, pos, d.severity.value, d.hint, d.config]


def _dec_diag(data: list) -> Diagnostic:
    code, message, pos, severity, hint, config = data
    if not (isinstance(code, str) and isinstance(message, str) and (hint is None or isinstance(hint, str))):
        raise ValueError("not a diagnostic")
    where = Position(str(pos[0]), int(pos[1]), int(pos[2])) if pos is not None else None
    return Diagnostic(code, message, where, Severity(severity), hint, bool(config))
