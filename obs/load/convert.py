"""Helpers the foreign-format adapters share: building obs/v1 documents whose every node
points back at the YAML it came from, names made obs-safe, durations, query shapes.

An adapted document is a tree of `PosDict`s, so validation and every later check report
the line in the Sloth, OpenSLO, Prometheus or ElastAlert file a person must edit.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import promql_parser

from obs.diagnostics import Position
from obs.load.sources import SourceDoc
from obs.load.yamlpos import PosDict, PosList

At = Any  # a Position, a PosDict/PosList node, or (PosDict, key)


class Noted(PosDict):
    """A PosDict with notes that `obs import` writes as comments above the mapping."""

    __slots__ = ("notes",)

    def __init__(self, pos: Position) -> None:
        super().__init__(pos)
        self.notes: list[str] = []


def _positions(at: At, default: Position) -> tuple[Position, Position]:
    if isinstance(at, Position):
        return at, at
    if isinstance(at, tuple):
        src, key = at
        if isinstance(src, PosDict):
            return src.key_pos.get(key, src.pos), src.val_pos.get(key, src.pos)
        return default, default
    pos = getattr(at, "pos", None) or default
    return pos, pos


def node(at: At, default: Position | None = None) -> Noted:
    """A new mapping standing where `at` stands."""
    return Noted(_positions(at, default or Position("?"))[1])


def put(target: PosDict, key: str, value: Any, at: At = None) -> None:
    """target[key] = value, positioned at `at` (default: the target itself)."""
    target[key] = value
    kpos, vpos = _positions(at if at is not None else target.pos, target.pos)
    target.key_pos[key], target.val_pos[key] = kpos, vpos


def copy_key(target: PosDict, key: str, src: Any, src_key: str | None = None, convert: Any = None) -> None:
    """Copy src[src_key] to target[key] with its positions, when present."""
    src_key = src_key or key
    if isinstance(src, dict) and src_key in src and src[src_key] is not None:
        value = src[src_key]
        put(target, key, convert(value) if convert else value, (src, src_key))


def document(kind: str, at: At, default: Position | None = None) -> tuple[Noted, Noted]:
    """An obs/v1 document of `kind` and its metadata mapping."""
    doc = node(at, default)
    put(doc, "apiVersion", "obs/v1")
    put(doc, "kind", kind)
    meta = node(doc)
    put(doc, "metadata", meta)
    return doc, meta


def source(original: SourceDoc, data: PosDict, fmt: str | None = None) -> SourceDoc:
    return SourceDoc(original.file, data.pos or original.pos, data, fmt or original.format, original.data)


def mapping(value: Any) -> PosDict | None:
    return value if isinstance(value, dict) else None


def strings(value: Any) -> dict[str, str] | None:
    """A mapping of labels with scalar values (positions kept), else None."""
    if not isinstance(value, dict) or any(isinstance(v, (dict, list)) for v in value.values()):
        return None
    return value


# ---- names -----------------------------------------------------------------------------

def slug(text: Any, limit: int | None = 63) -> str:
    """An obs name ([a-z0-9-], `limit` at most): lowercase, every other run of characters a '-'."""
    s = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return (s[:limit].rstrip("-") if limit else s) or "unnamed"


# ---- durations -------------------------------------------------------------------------

_SHORTHAND = re.compile(r"^(\d+)([smhdw])$")


def shorthand(text: Any) -> str | None:
    """An OpenSLO duration-shorthand with a fixed length (s m h d w) as an obs duration."""
    m = _SHORTHAND.match(str(text)) if isinstance(text, (str, int)) else None
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2)
    return f"{n * 7}d" if unit == "w" else f"{n}{unit}"


_ES_UNITS = (("weeks", 604800), ("days", 86400), ("hours", 3600), ("minutes", 60), ("seconds", 1))


def es_timeframe(value: Any, allow_zero: bool = False) -> str | None:
    """ElastAlert's {minutes: 5, hours: 1} as an obs duration ('65m'); None if not one."""
    if not isinstance(value, dict) or not value:
        return None
    total = 0.0
    for key, amount in value.items():
        size = dict(_ES_UNITS).get(key)
        if size is None or isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount < 0:
            return None
        total += amount * size
    if total == 0 and allow_zero:
        return "0m"
    if total <= 0 or total != int(total):
        return None
    total = int(total)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if total % size == 0:
            return f"{total // size}{unit}"
    return None


# ---- query shapes ----------------------------------------------------------------------

WINDOW = re.compile(r"\{\{\s*\.window\s*\}\}")
_AGG = re.compile(
    r"^\s*sum\s*(?:(?P<pre>by)\s*\((?P<prel>[^()]*)\)\s*)?\(\s*(?P<fn>rate|increase)\s*\(\s*(?P<sel>.+?)\s*"
    r"\[\s*(?P<range>[^\[\]]+?)\s*\]\s*\)\s*\)\s*(?:(?P<post>by)\s*\((?P<postl>[^()]*)\)\s*)?$", re.S)


@lru_cache(maxsize=1 << 16)
def selector(text: str) -> str | None:
    """`text` when it is a plain series selector (no offset, no @), else None (memoised)."""
    try:
        expr = promql_parser.parse(text)
    except (ValueError, Exception):  # the parser raises ValueError; be safe with its native errors
        return None
    if isinstance(expr, promql_parser.VectorSelector) and expr.offset is None and expr.at is None:
        return text.strip()
    return None


def aggregated_rate(query: str, window_range: re.Pattern | None = None) -> tuple[str, str, tuple[str, ...]] | None:
    """(function, selector, by-labels) when `query` is `sum [by (l…)] (rate|increase(SEL[range]))`.

    With `window_range`, the range must match it (Sloth's `{{.window}}`); otherwise any range.
    """
    m = _AGG.match(query)
    if not m:
        return None
    if window_range is not None and not window_range.fullmatch(m.group("range")):
        return None
    if window_range is None and not re.fullmatch(r"\d+[smhdwy]|\$window|\{\{\s*\.window\s*\}\}", m.group("range")):
        return None
    sel = selector(m.group("sel"))
    if sel is None:
        return None
    labels = m.group("prel") if m.group("pre") else m.group("postl") if m.group("post") else ""
    by = tuple(x.strip() for x in labels.split(",") if x.strip())
    if any(not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", label) for label in by):
        return None
    return m.group("fn"), sel, by


def plain(value: Any) -> Any:
    """Positions dropped: plain dicts and lists for writing."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


__all__ = ["Noted", "node", "put", "copy_key", "document", "source", "mapping", "strings", "slug", "shorthand",
           "es_timeframe", "selector", "aggregated_rate", "plain", "WINDOW", "PosList"]


# ---- checks every format shares ----------------------------------------------------------

def unknown_keys(mapping_: Any, allowed: tuple[str, ...], where: str, code: str, diags: Any,
                 warn: bool = False) -> set[str]:
    """One line per key the format does not have, with a did-you-mean; returns the keys
    meant (so a typo is not also reported as a missing field)."""
    import difflib
    meant: set[str] = set()
    if not isinstance(mapping_, PosDict):
        return meant
    for key in mapping_:
        if key in allowed:
            continue
        close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
        meant.update(close)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed here: {', '.join(allowed)}"
        if warn:
            diags.warning(code, f"{where} has no field {key!r}; obs ignores it", mapping_.key_pos.get(key), hint=hint)
        else:
            diags.error(code, f"{where} has no field {key!r}", mapping_.key_pos.get(key), hint=hint)
    return meant


def text_field(mapping_: Any, key: str, where: str, code: str, diags: Any, required: bool = True) -> str | None:
    """mapping[key] as non-empty text, else one diagnostic (when required) and None."""
    value = mapping_.get(key) if isinstance(mapping_, dict) else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and value.strip():
        return value
    if value is None and not required:
        return None
    pos = mapping_.where(key) if isinstance(mapping_, PosDict) else None
    if value is None:
        diags.error(code, f"{where} needs '{key}'", pos)
    elif isinstance(value, str):
        diags.error(code, f"{where}.{key} must not be empty", pos)
    else:
        diags.error(code, f"{where}.{key} must be text, got {type(value).__name__}", pos)
    return None
