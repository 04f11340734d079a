"""YAML with positions, and with limits that make hostile input fail fast.

Documents are built from PyYAML's event stream (the C parser where present) by an
iterative builder: mappings become `PosDict`, sequences `PosList`, and both remember where
each key and value stands, so every later stage can point at a line. Aliases are counted by
the size they expand to, nesting depth is capped and files over a size limit are refused
before parsing — a billion-laughs file is rejected in milliseconds, not after it has eaten
the memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml
from yaml import events as ev

from obs import codes
from obs.diagnostics import Diagnostic, ObsError, Position

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 1_000_000

_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER = yaml.resolver.Resolver()
_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_BOOL = {"true": True, "false": False, "yes": True, "no": False, "on": True, "off": False}


class PosDict(dict):
    """A mapping that knows where it and each of its keys and values stand."""

    __slots__ = ("pos", "key_pos", "val_pos")

    def __init__(self, pos: Position) -> None:
        self.pos = pos  # dict.__new__ made it empty already
        self.key_pos: dict[Any, Position] = {}
        self.val_pos: dict[Any, Position] = {}

    def where(self, key: Any) -> Position:
        """Position of the value of `key`, else of the mapping itself."""
        return self.val_pos.get(key) or self.pos


class PosList(list):
    """A sequence that knows where it and each of its items stand."""

    __slots__ = ("pos", "item_pos")

    def __init__(self, pos: Position) -> None:
        self.pos = pos
        self.item_pos: list[Position] = []

    def where(self, index: int) -> Position:
        return self.item_pos[index] if 0 <= index < len(self.item_pos) else self.pos


def position_of(root: Any, path: tuple, default: Position | None = None) -> Position | None:
    """The position of the node at `path` (keys and indexes), or of its nearest ancestor."""
    node, pos = root, getattr(root, "pos", default)
    for step in path:
        if isinstance(node, PosDict) and step in node:
            pos, node = node.where(step), node[step]
        elif isinstance(node, PosList) and isinstance(step, int) and 0 <= step < len(node):
            pos, node = node.where(step), node[step]
        elif isinstance(node, PosDict) and step in node.key_pos:
            pos = node.key_pos[step]
            break
        else:
            break
    return pos


def key_position(root: Any, path: tuple) -> Position | None:
    """Where the key at the end of `path` is written (for unknown-field errors)."""
    parent = root
    for step in path[:-1]:
        try:
            parent = parent[step]
        except (KeyError, IndexError, TypeError):
            return position_of(root, path)
    if isinstance(parent, PosDict) and path and path[-1] in parent.key_pos:
        return parent.key_pos[path[-1]]
    return position_of(root, path)


def _mark(file: str, mark: Any) -> Position:
    return Position(file, mark.line + 1, mark.column + 1)


def _scalar(event: ev.ScalarEvent) -> Any:
    """Plain scalars resolve as YAML 1.1 does for null, bool, int and float; the rest stay strings.
    Untagged plain scalars are memoised (keys and values repeat across a repository's files)."""
    value = event.value
    if event.tag in (None, "!"):
        if event.style not in (None, ""):
            return value  # quoted: always a string
        key = (value, event.implicit)
        hit = _PLAIN.get(key, _NO_KEY)
        if hit is _NO_KEY:
            if len(_PLAIN) >= 50_000:
                _PLAIN.clear()
            hit = _PLAIN[key] = _typed(value, _RESOLVER.resolve(yaml.ScalarNode, value, event.implicit))
        return hit
    return _typed(value, event.tag)


_PLAIN: dict[tuple, Any] = {}


def _typed(value: str, tag: str) -> Any:
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return _BOOL.get(value.lower(), value)
    if tag.endswith(":int"):
        text = value.replace("_", "")
        if _INT.match(text):
            return int(text)
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-")
        try:
            if digits.startswith(("0x", "0b")):
                return sign * int(digits, 0)
            if digits.startswith("0") and ":" not in digits:
                return sign * int(digits, 8)  # YAML 1.1 octal, as PyYAML reads it
        except ValueError:
            pass
        return value
    if tag.endswith(":float"):
        low = value.lower().replace("_", "")
        if low in (".inf", "+.inf"):
            return float("inf")
        if low == "-.inf":
            return float("-inf")
        if low == ".nan":
            return float("nan")
        try:
            return float(low)
        except ValueError:
            return value
    return value


class _Frame:
    __slots__ = ("node", "key", "key_pos", "anchor", "weight", "depth", "merged")

    def __init__(self, node: Any, anchor: str | None, depth: int) -> None:
        self.node, self.anchor, self.depth = node, anchor, depth
        self.merged: set = set()
        self.key: Any = _NO_KEY
        self.key_pos: Position | None = None
        self.weight = 1


_NO_KEY = object()
_SCALAR, _ALIAS = ev.ScalarEvent, ev.AliasEvent
_STARTS = frozenset((ev.MappingStartEvent, ev.SequenceStartEvent))
_ENDS = frozenset((ev.MappingEndEvent, ev.SequenceEndEvent))


class _Builder:
    """Turns one file's event stream into documents, enforcing the limits."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.total = 0
        self.duplicates: list[Diagnostic] = []
        #: an alias shares one node between places: such documents are not cached (obs.load.doccache)
        self.aliased = False

    def fail(self, code: str, message: str, mark: Any, hint: str | None = None) -> ObsError:
        return ObsError(Diagnostic(code, message, _mark(self.file, mark), hint=hint))

    def documents(self, events: Iterator[ev.Event]) -> Iterator[tuple[Any, Position]]:
        # dispatch on the exact event class, scalars first: they are most of a file's events
        stack: list[_Frame] = []
        file = self.file
        doc_pos = Position(file)
        result: Any = None
        first = True
        for event in events:
            cls = event.__class__
            if cls is _SCALAR or cls is _ALIAS or cls in _STARTS or cls in _ENDS:
                mark = event.start_mark
                pos = Position(file, mark.line + 1, mark.column + 1)
            elif cls is ev.DocumentStartEvent:
                doc_pos, result, self.anchors = _mark(file, event.start_mark), None, {}
                first = True
                continue
            elif cls is ev.DocumentEndEvent:
                yield result, doc_pos
                continue
            else:  # stream start and end
                continue
            if first:  # a document is where its content starts, not its `---`
                doc_pos, first = pos, False
            if cls is _SCALAR:
                value, weight, vpos = _scalar(event), 1, pos
                if event.anchor:
                    self.anchors[event.anchor] = (value, 1)
            elif cls in _STARTS:
                if len(stack) >= MAX_DEPTH:
                    raise self.fail(codes.YAML_TOO_DEEP, f"nesting deeper than {MAX_DEPTH} levels", event.start_mark)
                node = PosDict(pos) if cls is ev.MappingStartEvent else PosList(pos)
                stack.append(_Frame(node, event.anchor, len(stack)))
                continue
            elif cls in _ENDS:
                frame = stack.pop()
                if frame.anchor:
                    self.anchors[frame.anchor] = (frame.node, frame.weight)
                value, weight, vpos = frame.node, frame.weight, frame.node.pos
            else:  # alias
                self.aliased = True
                if event.anchor not in self.anchors:
                    raise self.fail(codes.YAML_SYNTAX, f"unknown alias *{event.anchor}", event.start_mark)
                value, weight = self.anchors[event.anchor]
                vpos = pos
            self.total += weight
            if self.total > MAX_NODES:
                raise self.fail(codes.YAML_ALIAS_BOMB,
                                f"the document expands to more than {MAX_NODES:,} nodes", event.start_mark,
                                hint="aliases that refer to aliases multiply; write the values out")
            if not stack:
                result = value
            else:
                self._attach(stack[-1], value, weight, vpos, event)
        if stack:
            raise ObsError(Diagnostic(codes.YAML_SYNTAX, "unexpected end of file", stack[-1].node.pos))

    def _attach(self, parent: _Frame, value: Any, weight: int, vpos: Position, event: ev.Event) -> None:
        parent.weight += weight
        node = parent.node
        if isinstance(node, PosList):
            node.append(value)
            node.item_pos.append(vpos)
            return
        if parent.key is _NO_KEY:
            if isinstance(value, (dict, list)):
                raise self.fail(codes.YAML_BAD_KEY, "a mapping key must be a plain value", event.start_mark)
            parent.key, parent.key_pos = value, vpos
            return
        key, kpos = parent.key, parent.key_pos
        parent.key = _NO_KEY
        if key == "<<" and isinstance(value, (dict, list)):
            for src in (value if isinstance(value, list) else [value]):
                if isinstance(src, PosDict):
                    for k, v in src.items():
                        if k not in node:
                            parent.merged.add(k)
                            node[k] = v
                            node.key_pos[k] = src.key_pos.get(k, kpos)
                            node.val_pos[k] = src.val_pos.get(k, vpos)
            return
        if key in node and key not in parent.merged:
            self.duplicates.append(Diagnostic(
                codes.YAML_DUPLICATE_KEY, f"key {key!r} appears twice in this mapping (first at line "
                f"{node.key_pos[key].line}); YAML keeps only the last", kpos))
        parent.merged.discard(key)
        node[key] = value
        node.key_pos[key] = kpos  # type: ignore[assignment]
        node.val_pos[key] = vpos


def load_documents(text: str | bytes, file: str) -> tuple[list[tuple[Any, Position]], list[Diagnostic]]:
    """All documents of a file with their start positions, plus duplicate-key findings.

    Raises ObsError with one diagnostic for input that cannot or must not be read.
    """
    docs, dups, _ = load_with_aliases(text, file)
    return docs, dups


def load_with_aliases(text: str | bytes, file: str) -> tuple[list[tuple[Any, Position]], list[Diagnostic], bool]:
    """load_documents, and whether the file used an alias."""
    size = len(text.encode("utf-8") if isinstance(text, str) else text)
    if size > MAX_FILE_BYTES:
        raise ObsError(Diagnostic(codes.YAML_TOO_LARGE,
                                  f"file is {size:,} bytes; obs reads YAML files up to {MAX_FILE_BYTES:,}",
                                  Position(file), hint="split it into several files"))
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ObsError(Diagnostic(codes.YAML_UNREADABLE, f"not UTF-8 text (byte {e.start})", Position(file))) from None
    builder = _Builder(file)
    try:
        docs = list(builder.documents(yaml.parse(text, Loader=_Parser)))
    except yaml.reader.ReaderError as e:
        raise ObsError(_unacceptable(text, e, file)) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        pos = _mark(file, mark) if mark else Position(file)
        lines = text.splitlines()
        tab = mark is not None and mark.line < len(lines) and "\t" in lines[mark.line]
        raise ObsError(Diagnostic(codes.YAML_SYNTAX, _yaml_message(e), pos,
                                  hint="YAML indents with spaces, not tabs" if tab else None)) from None
    except yaml.YAMLError as e:
        raise ObsError(Diagnostic(codes.YAML_SYNTAX, str(e).splitlines()[0], Position(file))) from None
    docs = [(d, p) for d, p in docs if d is not None]
    return docs, builder.duplicates, builder.aliased


def _unacceptable(text: str, e: yaml.reader.ReaderError, file: str) -> Diagnostic:
    """A character YAML refuses (NUL, other control characters), at its real line and column:
    the C parser counts UTF-8 bytes, the Python one characters."""
    offset = max(0, e.position)
    before = text[:offset] if _Parser is yaml.SafeLoader else text.encode("utf-8")[:offset].decode("utf-8", "ignore")
    line, col = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
    char = e.character if isinstance(e.character, int) else ord(str(e.character)[:1] or "\0")
    return Diagnostic(codes.YAML_SYNTAX, f"unacceptable character #x{char:04x}: {e.reason} in YAML",
                      Position(file, line, col),
                      hint=f'remove it, or write it as an escape inside double quotes ("\\x{char:02x}")')


def _yaml_message(e: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (e.context, e.problem) if p]
    return "; ".join(parts) or "invalid YAML"
