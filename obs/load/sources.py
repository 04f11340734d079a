"""Finding and reading a project's files: obs.yaml, the source globs, each file's documents."""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from obs import codes
from obs.diagnostics import Diagnostic, Diagnostics, ObsError, Position
from obs.load.validate import validate
from obs.load.yamlpos import PosDict, PosList, load_documents
from obs.project import PROJECT_FILE, Project

if TYPE_CHECKING:
    from obs.load.doccache import DocCache


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


UNREAD_YAML = codes.define("CF010", "config/unread-yaml",
                           "A YAML file inside a folder that a source pattern reads, which no pattern matches "
                           "(a .yml beside *.yaml, a subfolder below a non-recursive *): obs ignores it.")
_YAML = (".yaml", ".yml")


def _twin(pattern: str) -> str:
    """The same pattern for the other YAML suffix: services/*.yaml ↔ services/*.yml."""
    if pattern.endswith(".yaml"):
        return pattern[:-5] + ".yml"
    return pattern[:-4] + ".yaml" if pattern.endswith(".yml") else pattern


def _empty_families(patterns: list[str], empty: list[str]) -> list[list[str]]:
    """Patterns that match nothing, a pattern and its .yaml/.yml twin together: `*.yml` beside a
    `*.yaml` that matches is no mistake (the default and `obs init` list both)."""
    out, seen = [], set()
    for pattern in patterns:
        if pattern in seen:
            continue
        family = [p for p in dict.fromkeys((pattern, _twin(pattern))) if p in patterns]
        seen.update(family)
        if all(p in empty for p in family):
            out.append(family)
    return out


def _listed(patterns: list[str]) -> str:
    return ", ".join(repr(p) for p in patterns)


def _folders(patterns: list[str]) -> list[tuple[str, bool]]:
    """(folder, recursive) read by each pattern with a wildcard: the literal part before the
    first wildcard. A named folder is searched with its subfolders (services/payments/x.yaml
    beside services/*.yaml is the trap); the repository root only where a pattern reaches
    below it, since a root holds much besides obs's sources (CI files, manifests)."""
    out = []
    for pattern in patterns:
        parts = pattern.split("/")
        first = next((i for i, part in enumerate(parts) if glob.has_magic(part)), None)
        if first is None:
            continue  # a file named literally reads no folder
        rest = parts[first:]
        out.append(("/".join(parts[:first]), first > 0 or len(rest) > 1 or "**" in rest[0]))
    return out


def unread_yaml(root: Path, project: Project, read: list[str]) -> list[str]:
    """YAML files in the folders the source patterns read that no pattern matches, minus what
    obs reads otherwise (tests, dashboards), out/, obs.yaml and hidden paths."""
    folders = _folders(project.spec.sources)
    if not folders:
        return []
    others, _ = expand_globs(root, [*project.spec.tests, *project.spec.dashboards])
    known = {*read, *others, PROJECT_FILE}
    out_dir = project.spec.outputDir.strip("/")
    found = set()
    for folder, recursive in folders:
        for rel in _yaml_files(root, folder, recursive, out_dir):
            if rel not in known:
                found.add(rel)
    return sorted(found)


def _yaml_files(root: Path, folder: str, recursive: bool, out_dir: str) -> Iterator[str]:
    """YAML files under root/folder, relative; hidden folders (.git) and out/ are not entered."""
    for here, dirs, names in os.walk(root / folder):
        rel_here = Path(here).relative_to(root).as_posix()
        prefix = "" if rel_here == "." else rel_here + "/"
        dirs[:] = sorted(d for d in dirs if recursive and not d.startswith(".") and prefix + d != out_dir)
        if any(part.startswith(".") for part in prefix.split("/") if part):
            continue
        yield from (prefix + n for n in sorted(names) if n.endswith(_YAML) and not n.startswith("."))


def _unread_hint(rel: str, patterns: list[str]) -> str:
    folder = rel.rsplit("/", 1)[0] + "/" if "/" in rel else ""
    suffix = ".yml" if rel.endswith(".yml") else ".yaml"
    return f"add a pattern such as '{folder}*{suffix}' to spec.sources in obs.yaml, or move the file out of the folder"


def read_sources(root: Path, project: Project, diags: Diagnostics, cache: DocCache | None = None) -> SourceSet:
    """Every document of every source file; a file that cannot be read is one diagnostic.
    With `cache`, a file whose bytes were loaded before is not parsed again."""
    out_dir = project.spec.outputDir
    files, empty = expand_globs(root, project.spec.sources, exclude=(out_dir, PROJECT_FILE, ".git"))
    where = project.spec.pos_of("sources") if project.spec.pos else Position(PROJECT_FILE)
    for family in _empty_families(project.spec.sources, empty):
        diags.warning(codes.CONFIG_NO_SOURCES, f"source pattern {_listed(family)} matches no file"
                      if len(family) == 1 else f"source patterns {_listed(family)} match no file", where)
    for rel in unread_yaml(root, project, files):
        diags.warning(UNREAD_YAML, f"{rel} is a YAML file in a sources folder, but no source pattern of obs.yaml "
                      "matches it: obs does not read it", Position(rel), hint=_unread_hint(rel, project.spec.sources))
    sources = SourceSet(root)
    for rel in files:
        raw = (root / rel).read_bytes()
        sources.files.append(rel)
        sources.hashes[rel] = hashlib.sha256(raw).hexdigest()
        try:
            docs, dups = cache.load(raw, rel) if cache else load_documents(raw, rel)
        except ObsError as e:
            diags.extend(e.diagnostics)
            sources.unloaded.append(rel)
            continue
        diags.extend(dups)
        for data, pos in docs:
            for item, where in _objects(data, pos):
                if not isinstance(item, PosDict):
                    diags.error(codes.YAML_NOT_MAPPING, "a document must be a mapping", where)
                    sources.unloaded.append(rel)
                    continue
                sources.documents.append(SourceDoc(rel, where, item))
    return sources


def _objects(data: Any, pos: Position) -> list[tuple[Any, Position]]:
    """A document's objects: itself, or each item of a list of OpenSLO objects (the form the
    OpenSLO go-sdk and oslo decode, `- apiVersion: openslo/v1` …), each at its own line."""
    if isinstance(data, PosList) and data and all(
            isinstance(i, PosDict) and str(i.get("apiVersion", "")).startswith("openslo") for i in data):
        return [(item, data.where(i)) for i, item in enumerate(data)]
    return [(data, pos)]
