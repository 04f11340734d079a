"""A content-hash cache of loaded source files, so a re-compile reads only what changed.

An entry is one file's documents with every position and its duplicate-key findings, keyed
by sha256 of (cache format, obs version, the loader's own source, the file's path, its
bytes): the same bytes at the same path always load to the same documents, so an entry can
only be right or absent. Entries are JSON (never pickle: a cache must not be able to run
code), written atomically; an entry that cannot be read or does not decode as expected is
ignored and rewritten — a cache is never a reason for an error.

The default folder is the user's cache ($XDG_CACHE_HOME/obs/documents, ~/.cache/...), not
the repository: a repository cannot ship entries that would make obs see other documents
than its files hold. $OBS_CACHE_DIR moves it. Files with an alias are not cached (an
alias shares one node between places, which JSON would turn into copies).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from obs import __version__
from obs.diagnostics import Diagnostic, Position, Severity
from obs.load import yamlpos
from obs.load.yamlpos import PosDict, PosList, load_with_aliases

FORMAT = "1"
_ENV = "OBS_CACHE_DIR"


def default_dir() -> Path:
    if os.environ.get(_ENV):
        return Path(os.environ[_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "obs" / "documents"


def _code_hash() -> str:
    """The loader's own source: a changed loader (even at the same version) misses every entry."""
    h = hashlib.sha256(f"{FORMAT}\0{__version__}\0".encode())
    for mod in (yamlpos, __import__("obs.diagnostics").diagnostics):
        h.update(Path(mod.__file__).read_bytes())
    return h.hexdigest()


class DocCache:
    """load_documents with a cache folder behind it."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or default_dir()
        self.salt = _code_hash().encode()
        self.hits = self.misses = 0

    def _path(self, rel: str, raw: bytes) -> Path:
        key = hashlib.sha256(self.salt + b"\0" + rel.encode() + b"\0" + raw).hexdigest()
        return self.folder / key[:2] / f"{key[2:]}.json"

    def load(self, raw: bytes, rel: str) -> tuple[list[tuple[Any, Position]], list[Diagnostic]]:
        """As yamlpos.load_documents (raises ObsError alike: unreadable files are not cached)."""
        path = self._path(rel, raw)
        got = _read(path, rel)
        if got is not None:
            self.hits += 1
            return got
        self.misses += 1
        docs, dups, aliased = load_with_aliases(raw, rel)
        if not aliased:
            _write(path, json.dumps([[[p.line, p.col, _enc(d)] for d, p in docs], [_enc_diag(x) for x in dups]],
                                    separators=(",", ":")).encode("ascii"))
        return docs, dups


# ---- encoding: a node is a JSON list, a scalar is itself -----------------------------------
# PosDict → ["d", line, col, [key, key line, key col, value line, value col, value, …]]
# PosList → ["l", line, col, [item line, item col, item, …]]


def _enc(node: Any) -> Any:
    if isinstance(node, PosDict):
        flat: list = []
        for k, v in node.items():
            kp, vp = node.key_pos[k], node.val_pos[k]
            flat += (k, kp.line, kp.col, vp.line, vp.col, _enc(v))
        return ["d", node.pos.line, node.pos.col, flat]
    if isinstance(node, PosList):
        flat = []
        for p, v in zip(node.item_pos, node):
            flat += (p.line, p.col, _enc(v))
        return ["l", node.pos.line, node.pos.col, flat]
    return node


def _dec(data: Any, file: str) -> Any:
    if not isinstance(data, list):
        if isinstance(data, dict):
            raise ValueError("not an entry of this format")
        return data
    kind, line, col, flat = data
    if kind == "d":
        node = PosDict(Position(file, line, col))
        kpos, vpos = node.key_pos, node.val_pos
        for i in range(0, len(flat), 6):
            k = flat[i]
            kpos[k] = Position(file, flat[i + 1], flat[i + 2])
            vpos[k] = Position(file, flat[i + 3], flat[i + 4])
            node[k] = _dec(flat[i + 5], file)
        return node
    if kind == "l":
        items = PosList(Position(file, line, col))
        where = items.item_pos
        for i in range(0, len(flat), 3):
            where.append(Position(file, flat[i], flat[i + 1]))
            items.append(_dec(flat[i + 2], file))
        return items
    raise ValueError(kind)


def _enc_diag(d: Diagnostic) -> list:
    return [d.code, d.message, d.pos.line if d.pos else None, d.pos.col if d.pos else None, d.severity.value,
            d.hint, d.config]


def _read(path: Path, file: str) -> tuple[list, list[Diagnostic]] | None:
    try:
        docs, dups = json.loads(path.read_bytes())
        out = [(_dec(d, file), Position(file, line, col)) for line, col, d in docs]
        diags = [Diagnostic(c, m, Position(file, ln, cl) if ln is not None else None, Severity(s), h, bool(cf))
                 for c, m, ln, cl, s, h, cf in dups]
    except (OSError, ValueError, TypeError, KeyError, IndexError):
        return None  # absent, or broken: loaded afresh and rewritten
    if not all(isinstance(d, (PosDict, PosList)) or _scalar(d) for d, _ in out):
        return None
    return out, diags


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _write(path: Path, data: bytes) -> None:
    """Atomically (a temporary file renamed into place); a folder that cannot be written means no cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass
