"""The field half of the search checks: a field a log alert names against `_field_caps`, with a
did-you-mean, and where in the definition that field is written (the column inside a query).
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from obs import codes
from obs.diagnostics import Diagnostic, Position, Severity
from obs.live.search import FieldCap, FieldCaps
from obs.logs.fields import AGGREGATABLE, DATE, DATE_TYPES, EXISTS, NUMERIC, NUMERIC_TYPES, ORDERED, Use
from obs.logs.uses import Asks

FIELD_MISSING = codes.define("LV043", "search/field-missing",
                             "A field a log alert names does not exist in the indices it searches (or not in all).")
FIELD_TYPE = codes.define("LV044", "search/field-type",
                          "A field a log alert names has a type that does not fit its use: terms and cardinality need "
                          "an aggregatable field, avg/sum a numeric one, min/max a numeric or date one, the "
                          "timestamp field a date.")

_NEEDS = {AGGREGATABLE: "an aggregatable field (keyword, numeric, date, …; text is not)",
          NUMERIC: "a numeric field", ORDERED: "a numeric or date field", DATE: "a date field"}
#: the part of a definition each role of obs.logs.uses comes from
_SPEC_KEY = {"index": "index", "query": "query", "filter": "filter", "match": "match", "groupBy": "groupBy",
             "when": "when", "timestamp": "timestampField"}


def fits(type_: str, aggregatable: bool, need: str) -> bool:
    if need == AGGREGATABLE:
        return aggregatable
    if need == NUMERIC:
        return type_ in NUMERIC_TYPES
    if need == ORDERED:
        return type_ in NUMERIC_TYPES or type_ in DATE_TYPES
    if need == DATE:
        return type_ in DATE_TYPES
    return True


@dataclass
class Scope:
    """One compiled log alert on one server: what it searches, how findings name it, and the fields
    already reported missing (one finding per field)."""

    asks: Asks
    client: Any
    server: str
    positions: Positions
    expression: str
    label: str  # the expression as the message shows it
    missing: set[str] = field(default_factory=set)

    @property
    def head(self) -> str:
        return f"log alert {self.asks.entry.name!r}"


def check_field(scope: Scope, role: str, use: Use, caps: FieldCaps) -> Iterable[Diagnostic]:
    name, server, label = use.field, scope.server, scope.label
    if name.startswith("_") or name in scope.missing:
        return  # _id, _index …: the server's own
    head = f"{scope.head}: field {name!r}"
    where = scope.positions.of(scope.asks, role, name)
    if "*" in name:
        if not fnmatch.filter(caps.fields, name):
            yield Diagnostic(FIELD_MISSING, f"{head} ({use.what}) matches no field in {label} on {server}", where,
                             hint="a query on fields that do not exist matches nothing")
        return
    cap = caps.get(name)
    if cap is None:
        scope.missing.add(name)
        near = did_you_mean(name, caps, use.need)
        yield Diagnostic(FIELD_MISSING, f"{head} ({use.what}) does not exist in {label} on {server}"
                         + (f"; did you mean {near!r}?" if near else ""), where, hint=_why_missing(use))
        return
    bad = [t for t, (_s, agg, _i) in cap.types.items() if not fits(t, agg, use.need)]
    if bad:
        yield Diagnostic(FIELD_TYPE, _type_message(head, use, cap, bad, caps, f"{label} on {server}"), where,
                         hint=_better(name, use.need, caps))
    if cap.unmapped:
        n = len(caps.indices)
        yield Diagnostic(FIELD_MISSING, f"{head} ({use.what}) is not mapped in {len(cap.unmapped)} of {n} indices "
                         f"of {label} on {server} ({_few(cap.unmapped)})", where, Severity.WARNING,
                         hint="the alert sees no values of it in those indices (renamed, or not yet written?)")


def _type_message(head: str, use: Use, cap: FieldCap, bad: list[str], caps: FieldCaps, where_: str) -> str:
    types = "/".join(bad)
    agg = use.need == AGGREGATABLE and not any(t in ("text", "object", "nested") for t in bad)
    desc = f"{types}{', not aggregatable there' if agg else ''}"
    subject = "the timestamp field" if use.what.startswith("in ") and use.need == DATE else use.what
    if len(bad) == len(cap.types):
        return f"{head} is {desc} in {where_}, {subject} needs {_NEEDS[use.need]}"
    good = [t for t in cap.types if t not in bad]
    where = sorted({i for t in bad for i in cap.indices_of(t, caps.indices)})
    return (f"{head} is {'/'.join(good)} in some indices of {where_} but {desc} in {len(where)} "
            f"({_few(where)}); {subject} needs {_NEEDS[use.need]} in every index")


def _better(name: str, need: str, caps: FieldCaps) -> str | None:
    """A neighbour that fits: `x.keyword` for a text field, the parent of a `.keyword` that is not."""
    for other in (f"{name}.keyword", name.removesuffix(".keyword")):
        cap = caps.get(other)
        if other != name and cap is not None and all(fits(t, a, need) for t, (_s, a, _i) in cap.types.items()):
            return f"{other!r} is {'/'.join(cap.mapped_types)} and fits"
    return None


def _why_missing(use: Use) -> str:
    if use.what.startswith("in "):
        return "a query on a field that does not exist matches nothing"
    return "the alert would never see a value of it"


def did_you_mean(name: str, caps: FieldCaps, need: str = EXISTS) -> str | None:
    """The closest field that exists (and fits the need), metadata and object fields aside."""
    names = [n for n, c in caps.fields.items() if not n.startswith("_")
             and any(fits(t, a, need) and t not in ("object", "nested") for t, (_s, a, _i) in c.types.items())]
    lower = {n.lower(): n for n in names}
    if name.lower() in lower:
        return lower[name.lower()]
    near = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return near[0] if near else None


def _few(names, n: int = 3) -> str:
    names = list(names)
    return ", ".join(names[:n]) + (f" and {len(names) - n} more" if len(names) > n else "")


# --- positions ------------------------------------------------------------------------------------

class Positions:
    """Where a part of a log alert's definition is written, down to the column of a field inside a
    query string or a filter, read from the positions the loader kept (and the line itself)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lines: dict[str, list[str]] = {}

    def of(self, asks: Asks, role: str, name: str | None = None) -> Position | None:
        entry = asks.entry
        if role.startswith("raw:") and entry.raw is not None:
            key = role[4:]
            node = entry.raw.get(key)
            base = entry.raw.where(key) if key in entry.raw else entry.origin.pos
        else:
            key = _SPEC_KEY.get(role, role)
            source = getattr(entry.spec, "_source", None)
            node = source.get(key) if isinstance(source, dict) else None
            base = entry.spec.pos_of(key) or entry.origin.pos
        if name is None:
            return base
        bare = name.removesuffix(".keyword")  # obs adds .keyword for terms aggregations; the user wrote `bare`
        found = _find(node, name) or _find(node, bare)
        if found is None and not isinstance(node, str):
            return base
        return self._column(found or base, name, bare)

    def _column(self, pos: Position, *names: str) -> Position:
        """The column of `name` on the line of `pos`, at or after pos (a field inside a scalar)."""
        lines = self._lines.get(pos.file)
        if lines is None:
            try:
                lines = (self.root / pos.file).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                lines = []
            self._lines[pos.file] = lines
        if not 0 < pos.line <= len(lines):
            return pos
        line = lines[pos.line - 1]
        for probe in [p for name in names for p in (f"{name}:", name)]:
            at = line.find(probe, pos.col - 1)
            while at > 0 and (line[at - 1].isalnum() or line[at - 1] in "._@"):
                at = line.find(probe, at + 1)
            if at >= 0:
                return Position(pos.file, pos.line, at + 1)
        return pos


def _find(node: Any, name: str) -> Position | None:
    """Where `name` is written inside a loaded YAML node: as a key (`term: {name: …}`), as a value
    (`exists: {field: name}`) or inside a string (a query string naming it)."""
    if isinstance(node, dict):
        key_pos, val_pos = getattr(node, "key_pos", {}), getattr(node, "val_pos", {})
        if name in node and name in key_pos:
            return key_pos[name]
        for k, v in node.items():
            if isinstance(v, str) and (v == name or f"{name}:" in v) and k in val_pos:
                return val_pos[k]
            got = _find(v, name)
            if got is not None:
                return got
    elif isinstance(node, list):
        item_pos = getattr(node, "item_pos", [])
        for i, v in enumerate(node):
            if isinstance(v, str) and v == name and i < len(item_pos):
                return item_pos[i]
            got = _find(v, name)
            if got is not None:
                return got
    return None
