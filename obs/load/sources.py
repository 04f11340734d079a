"""Finding and reading a project's files: obs.yaml, the source globs, each file's documents."""

from __future__ import annotations

import glob
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from obs import codes
from obs.diagnostics import Diagnostic, Diagnostics, ObsError, Position
from obs.load.validate import validate
from obs.load.yamlpos import PosDict, load_documents
from obs.project import PROJECT_FILE, Project


@dataclass
class SourceDoc:
    """One YAML document of a source file, with the format it was recognised as."""

    file: str
    pos: Position
    data: Any
    format: str = "obs"
    #: for documents adapted from a foreign format: the original, read-only
    original: Any = None


@dataclass
class SourceSet:
    root: Path
    files: list[str] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)
    documents: list[SourceDoc] = field(default_factory=list)
    #: files (or documents of them) that could not be read as YAML mappings: what they define is unknown
    unloaded: list[str] = field(default_factory=list)


def load_project(root: Path) -> tuple[Project | None, list[Diagnostic]]:
    path = root / PROJECT_FILE
    try:
        raw = path.read_bytes()
    except OSError as e:
        return None, [Diagnostic(codes.CONFIG_MISSING, f"cannot read {PROJECT_FILE}: {e.strerror}", config=True)]
    try:
        docs, dups = load_documents(raw, PROJECT_FILE)
    except ObsError as e:
        return None, [_as_config(d) for d in e.diagnostics]
    if len(docs) != 1 or not isinstance(docs[0][0], PosDict):
        return None, [Diagnostic(codes.CONFIG_INVALID, f"{PROJECT_FILE} must hold one Project mapping",
                                 Position(PROJECT_FILE), config=True)]
    project, diags = validate(Project, docs[0][0], PROJECT_FILE)
    return project, [_as_config(d) for d in [*dups, *diags]]


def _as_config(d: Diagnostic) -> Diagnostic:
    return Diagnostic(d.code, d.message, d.pos, d.severity, d.hint, config=True)


def expand_globs(root: Path, patterns: list[str], exclude: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """Files matching the globs, relative and sorted (file-system order never matters);
    plus the patterns that matched nothing."""
    found: set[str] = set()
    empty = []
    for pattern in patterns:
        hits = [Path(p) for p in glob.glob(str(root / pattern), recursive=True)]
        rel = {p.relative_to(root).as_posix() for p in hits if p.is_file()}
        rel = {r for r in rel if not any(r == x or r.startswith(x.rstrip("/") + "/") for x in exclude)}
        if not rel:
            empty.append(pattern)
        found |= rel
    return sorted(found), empty


def read_sources(root: Path, project: Project, diags: Diagnostics) -> SourceSet:
    """Every document of every source file; a file that cannot be read is one diagnostic."""
    out_dir = project.spec.outputDir
    files, empty = expand_globs(root, project.spec.sources, exclude=(out_dir, PROJECT_FILE, ".git"))
    for pattern in empty:
        diags.warning(codes.CONFIG_NO_SOURCES, f"source pattern {pattern!r} matches no file",
                      project.spec.pos_of("sources") if project.spec.pos else Position(PROJECT_FILE))
    sources = SourceSet(root)
    for rel in files:
        raw = (root / rel).read_bytes()
        sources.files.append(rel)
        sources.hashes[rel] = hashlib.sha256(raw).hexdigest()
        try:
            docs, dups = load_documents(raw, rel)
        except ObsError as e:
            diags.extend(e.diagnostics)
            sources.unloaded.append(rel)
            continue
        diags.extend(dups)
        for data, pos in docs:
            if not isinstance(data, PosDict):
                diags.error(codes.YAML_NOT_MAPPING, "a document must be a mapping", pos)
                sources.unloaded.append(rel)
                continue
            sources.documents.append(SourceDoc(rel, pos, data))
    return sources
