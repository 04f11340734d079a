"""A YAML writer for obs's outputs: block style, keys in the order given, strings quoted as
JSON where YAML could misread them. Deterministic and about ten times faster than a generic
dumper on large rule files (DOMAIN.md); Prometheus, kubectl and PyYAML read it back
identically (tests/unit/test_yamlout.py proves the round trip).

`Comment("text")` as a mapping key writes `# text` at that place, for provenance.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any


class Comment(str):
    """A mapping key that is written as a comment line, not as data."""

    _n = 0

    def __new__(cls, text: str) -> Comment:
        Comment._n += 1
        obj = super().__new__(cls, f"\x00comment{Comment._n}")
        obj.text = text  # type: ignore[attr-defined]
        return obj


_PLAIN = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./@-]*$")
_DURATION = re.compile(r"^(\d+(y|w|d|h|m|s|ms))+$")
_RESERVED = {"y", "yes", "n", "no", "true", "false", "on", "off", "null", "~"}


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    text = str(value)
    if (_PLAIN.match(text) and text.lower() not in _RESERVED) or _DURATION.match(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def dump(data: Any, header: str | None = None) -> str:
    """One YAML document; `header` becomes leading comment lines."""
    lines: list[str] = []
    if header:
        lines += [f"# {h}".rstrip() for h in header.splitlines()]
    _emit(data, 0, lines)
    return "\n".join(lines) + "\n"


def dump_all(documents: list[Any], header: str | None = None) -> str:
    parts = [dump(doc, header if i == 0 else None) for i, doc in enumerate(documents)]
    return "---\n".join(parts)


def _emit(data: Any, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    if isinstance(data, dict):
        if not data:
            lines.append(pad + "{}")
        for key, value in data.items():
            if isinstance(key, Comment):
                lines.append(f"{pad}# {key.text}")  # type: ignore[attr-defined]
                continue
            _entry(f"{pad}{scalar(key)}:", value, indent, lines)
    elif isinstance(data, (list, tuple)):
        if not data:
            lines.append(pad + "[]")
        for item in data:
            _item(pad, item, indent, lines)
    else:
        lines.append(pad + scalar(data))


def _entry(prefix: str, value: Any, indent: int, lines: list[str]) -> None:
    if isinstance(value, dict) and value and not _only_comments(value):
        lines.append(prefix)
        _emit(value, indent + 2, lines)
    elif isinstance(value, (list, tuple)) and value:
        lines.append(prefix)
        _emit(value, indent, lines)  # block sequences at the key's indentation, as kubectl writes them
    elif isinstance(value, dict):
        lines.append(prefix + " {}")
    elif isinstance(value, (list, tuple)):
        lines.append(prefix + " []")
    else:
        lines.append(f"{prefix} {scalar(value)}")


def _item(pad: str, item: Any, indent: int, lines: list[str]) -> None:
    if isinstance(item, dict) and item and not _only_comments(item):
        sub: list[str] = []
        comments = []
        body = dict(item)
        while body and isinstance(next(iter(body)), Comment):
            key = next(iter(body))
            comments.append(f"{pad}# {key.text}")  # type: ignore[attr-defined]
            body.pop(key)
        lines.extend(comments)
        _emit(body, indent + 2, sub)
        sub[0] = pad + "- " + sub[0][indent + 2:]
        lines.extend(sub)
    elif isinstance(item, (list, tuple)) and item:
        sub = []
        _emit(item, indent + 2, sub)
        sub[0] = pad + "- " + sub[0][indent + 2:]
        lines.extend(sub)
    else:
        rendered: list[str] = []
        _emit(item, 0, rendered)
        lines.append(pad + "- " + rendered[0])


def _only_comments(d: dict) -> bool:
    return all(isinstance(k, Comment) for k in d)
