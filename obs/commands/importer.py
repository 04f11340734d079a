"""`obs import FORMAT FILES… [-o DIR]`: the obs/v1 equivalent of foreign documents.

Import is the same adaptation obs applies when it reads those files in place (obs.load.*),
then written with obs.yamlout; comments say which file and line each part came from, so
compiling the output gives the same alerts as compiling the originals.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from obs import codes
from obs.commands.common import emit
from obs.diagnostics import Diagnostic, Diagnostics, ObsError, Position
from obs.load.foreign import FORMATS, IMPORTABLE, classify
from obs.load.parse import parse_documents
from obs.load.sources import SourceDoc
from obs.load.yamlpos import PosDict, load_documents
from obs.writer import atomic_write
from obs.yamlout import Comment, dump

WRONG_FORMAT = codes.define("IM040", "import/wrong-format",
                            "A file given to `obs import FORMAT` holds a document of another format.")

#: formats each `obs import` argument accepts (PrometheusRule objects import as `prometheus`)
ACCEPTS = {"sloth": ("sloth",), "openslo": ("openslo",), "prometheus": ("prometheus", "prometheus-operator"),
           "elastalert": ("elastalert",)}
_SUMMARY = {f.name: f.summary for f in FORMATS}


def run_import(fmt: str, files: list[Path], out_dir: Path | None) -> int:
    if fmt not in IMPORTABLE:
        return emit([Diagnostic(codes.CONFIG_USAGE, f"obs cannot import {fmt!r}", config=True,
                                hint=f"formats: {', '.join(sorted(IMPORTABLE))}")])
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        return emit([Diagnostic(codes.CONFIG_USAGE, f"-o {out_dir}: not a directory", config=True,
                                hint="-o names the folder the imported files go into")])
    diags = Diagnostics()
    per_file = [(str(f), _read(f, fmt, diags)) for f in files]
    if diags.has_errors:
        return emit(diags)
    adapted: dict[str, list[SourceDoc]] = {}
    for name in ACCEPTS[fmt]:
        docs = [d for _, ds in per_file for d in ds if d.format == name]
        if docs:
            for out in next(f for f in FORMATS if f.name == name).adapt(docs, diags):
                adapted.setdefault(out.file, []).append(out)
    parse_documents([d for ds in adapted.values() for d in ds], diags)
    if diags.has_errors:
        return emit(diags)
    texts = [(file, render(adapted.get(file, []), file, fmt)) for file, _ in per_file]
    if out_dir is None:
        sys.stdout.write("---\n".join(text for _, text in texts))
    else:
        used: set[str] = set()
        for file, text in texts:
            target = _target(out_dir, file, used)
            try:
                atomic_write(target, text.encode("utf-8"))
            except OSError as e:
                return emit([Diagnostic(codes.CONFIG_USAGE, f"cannot write {target}: {e.strerror}", config=True)])
            sys.stderr.write(f"wrote {target}\n")
    return emit(diags, quiet_ok=True)


def _read(path: Path, fmt: str, diags: Diagnostics) -> list[SourceDoc]:
    """The file's documents, each checked to be of the format asked for."""
    file = str(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        diags.add(Diagnostic(codes.CONFIG_USAGE, f"cannot read {file}: {e.strerror}", config=True))
        return []
    try:
        loaded, dups = load_documents(raw, file)
    except ObsError as e:
        diags.extend(e.diagnostics)
        return []
    diags.extend(dups)
    out = []
    for data, pos in loaded:
        if not isinstance(data, PosDict):
            diags.error(codes.YAML_NOT_MAPPING, "a document must be a mapping", pos)
            continue
        doc = SourceDoc(file, pos, data)
        name = classify(doc, diags)
        if name is None:
            continue
        if name not in ACCEPTS[fmt]:
            what = "an obs/v1 document already" if name == "obs" else f"a {_SUMMARY.get(name, name)}"
            other = next((k for k, v in ACCEPTS.items() if name in v), None)
            diags.error(WRONG_FORMAT, f"{file}: this document is {what}, not {fmt}", pos,
                        hint=f"run `obs import {other} {file}`" if other else None)
            continue
        doc.format = name
        out.append(doc)
    return out


def _target(out_dir: Path, file: str, used: set[str]) -> Path:
    stem, n = Path(file).stem, 1
    name = f"{stem}.yaml"
    while name in used:
        n += 1
        name = f"{stem}-{n}.yaml"
    used.add(name)
    return out_dir / name


def render(docs: list[SourceDoc], file: str, fmt: str) -> str:
    """obs/v1 YAML for one input file: standalone SLOs folded into their Service, comments
    naming the line each document and item came from."""
    header = (f"Imported by `obs import {fmt}` from {file}.\n"
              "Each '# from FILE:LINE' names the part of the original this part came from.")
    services = {_meta(d, "name"): d for d in docs if d.data.get("kind") == "Service"}
    out: list[Any] = []
    for doc in docs:
        kind = doc.data.get("kind")
        if kind == "SLO" and _meta(doc, "service") in services:
            continue
        body = _plain(doc.data, top=True, fmt=doc.format)
        if kind == "Service":
            slos = [d for d in docs if d.data.get("kind") == "SLO" and _meta(d, "service") == _meta(doc, "name")]
            if slos:
                spec = body.setdefault("spec", {})
                spec["slos"] = [_slo_item(s) for s in slos]
        out.append(body)
    if not out:  # comments only: obs reads it as no document, where `{}` would be an error
        return "".join(f"# {line}\n" for line in (header + "\nNothing to import: no " + fmt
                                                   + " document of its own.").splitlines())
    parts = [dump(d, header if i == 0 else None) for i, d in enumerate(out)]
    return "---\n".join(parts)


def _meta(doc: SourceDoc, key: str) -> Any:
    meta = doc.data.get("metadata")
    return meta.get(key) if isinstance(meta, dict) else None


def _slo_item(doc: SourceDoc) -> dict:
    item: dict = {Comment(f"from {_where(doc.data.pos)}"): None, "name": doc.data["metadata"]["name"]}
    spec = _plain(doc.data.get("spec") or {})
    item.update({k: v for k, v in spec.items()})
    return item


def _where(pos: Position | None) -> str:
    return f"{pos.file}:{pos.line}" if pos else "?"


def _plain(value: Any, top: bool = False, fmt: str = "") -> Any:
    """PosDicts as dicts with their notes as comments; list items and documents say where
    they came from."""
    if isinstance(value, dict):
        out: dict = {}
        if top:
            out[Comment(f"from {_where(getattr(value, 'pos', None))} ({_SUMMARY.get(fmt, fmt)})")] = None
        for note in getattr(value, "notes", ()):
            out[Comment(note)] = None
        for key, item in value.items():
            out[key] = _plain(item)
        return out
    if isinstance(value, list):
        items = []
        for item in value:
            body = _plain(item)
            if isinstance(body, dict) and isinstance(item, PosDict) and item.pos and not top:
                body = {Comment(f"from {_where(item.pos)}"): None, **body}
            items.append(body)
        return items
    return value
