"""Writing out/: deterministic, atomic, and tidy.

Each file is written to a temporary name and renamed into place, so a crash never leaves a
half-written file; unchanged files are not touched; files a previous compile produced and
this one does not are removed — only those listed in the previous manifest, never others.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from obs import __version__, jsonindent
from obs.targets import Artifact

MANIFEST = "manifest.json"


@dataclass
class WriteResult:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def manifest(project: str, inputs: dict[str, str], artifacts: list[Artifact]) -> bytes:
    """inputs with hashes, outputs with hashes, targets and the source lines they came from."""
    doc = {
        "obs": __version__,
        "project": project,
        "inputs": [{"path": p, "sha256": h} for p, h in sorted(inputs.items())],
        "outputs": [{
            "path": a.path, "target": a.target, "sha256": hashlib.sha256(a.content).hexdigest(),
            "sources": sorted({str(o) for o in a.sources}),
        } for a in sorted(artifacts, key=lambda a: a.path)],
    }
    return (jsonindent.dumps(doc) + "\n").encode("utf-8")


def atomic_write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: files written at once: each waits for its fsync (the disk, not the CPU), and the GIL is released
WRITERS = 8


def _write_all(files: list[tuple[Path, bytes]]) -> None:
    """atomic_write of every file, several at a time (each file is still written whole or not at
    all; the manifest is written after them all). The first error is raised once all are done."""
    if len(files) < 2:
        for path, content in files:
            atomic_write(path, content)
        return
    for folder in sorted({path.parent for path, _ in files}):
        folder.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        futures = [pool.submit(atomic_write, path, content) for path, content in files]
    for future in futures:
        future.result()


def previous_outputs(out: Path) -> set[str]:
    try:
        doc = json.loads((out / MANIFEST).read_text("utf-8"))
        return {o["path"] for o in doc.get("outputs", []) if isinstance(o, dict) and "path" in o}
    except (OSError, ValueError, TypeError, AttributeError):
        return set()


def write_out(out: Path, artifacts: list[Artifact], manifest_bytes: bytes) -> WriteResult:
    result = WriteResult()
    before = previous_outputs(out)
    changed: list[tuple[Path, bytes]] = []
    for a in artifacts:
        target = _inside(out, a.path)
        if target.is_file() and target.read_bytes() == a.content:
            result.unchanged.append(a.path)
            continue
        changed.append((target, a.content))
        result.written.append(a.path)
    _write_all(changed)
    for stale in sorted(before - {a.path for a in artifacts}):
        path = _inside(out, stale)
        if path.is_file():
            path.unlink()
            result.removed.append(stale)
            _prune_empty(path.parent, out)
    atomic_write(out / MANIFEST, manifest_bytes)
    return result


def _inside(out: Path, rel: str) -> Path:
    path = (out / rel).resolve()
    if not path.is_relative_to(out.resolve()) or rel == MANIFEST:
        raise ValueError(f"refusing to write outside out/: {rel}")
    return path


def _prune_empty(folder: Path, out: Path) -> None:
    out = out.resolve()
    while folder.resolve() != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
