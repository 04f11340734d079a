"""Evaluating a profile: the jsonnet package, with imports confined to manifests/.

An import resolves against the importing file's folder, then manifests/lib; whatever resolves
outside manifests/ (`../../etc/passwd`, an absolute path, a symlink out) is refused, so a
profile renders from obs's own files only."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class JsonnetError(Exception):
    message: str
    #: the import that was refused, if that is why it failed
    refused: str | None = None


def confined_importer(root: Path):
    """An import callback for _jsonnet that serves files under `root` only."""
    root = root.resolve()
    refused: list[str] = []

    def importer(base: str, rel: str) -> tuple[str, bytes]:
        folders = [Path("/")] if Path(rel).is_absolute() else [Path(base or root), root / "lib"]
        for folder in folders:
            candidate = (folder / rel).resolve()
            if not candidate.is_relative_to(root):
                refused.append(rel)
                raise RuntimeError(f"import {rel!r} reaches outside manifests/")
            if candidate.is_file():
                return str(candidate), candidate.read_bytes()
        raise RuntimeError(f"couldn't open import {rel!r}: not in its folder or manifests/lib")

    importer.refused = refused  # type: ignore[attr-defined]
    return importer


_ROOT_PREFIX = re.compile(r"(?:RUNTIME ERROR: )?")
#: the innermost frame of jsonnet's stack trace that is one of obs's manifests
_FRAME = re.compile(r"manifests/[\w./-]+:\d+:\d+")


def evaluate(root: Path, file: Path, **args: Any) -> Any:
    """The value of `file` (a function of `args`, passed as top-level arguments) as JSON data."""
    import _jsonnet  # the `jsonnet` package

    root = root.resolve()
    file = file.resolve()
    if not file.is_relative_to(root):
        raise JsonnetError(f"{file} is outside manifests/", refused=str(file))
    importer = confined_importer(root)
    try:
        text = _jsonnet.evaluate_file(str(file), import_callback=importer,
                                      tla_codes={k: json.dumps(v, sort_keys=True) for k, v in args.items()})
    except RuntimeError as e:
        lines = [line.strip() for line in str(e).replace(f"{root}/", "manifests/").splitlines() if line.strip()]
        refused = importer.refused[0] if importer.refused else None  # type: ignore[attr-defined]
        message = _ROOT_PREFIX.sub("", lines[0]) if lines else "evaluation failed"
        where = next((m[0] for line in lines[1:] if (m := _FRAME.search(line))), None)
        raise JsonnetError(f"{message} (at {where})" if where else message, refused) from None
    return json.loads(text)
