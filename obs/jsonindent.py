"""`json.dumps(data, indent=2, ensure_ascii=False)` bytes, several times faster.

With `indent`, Python's json falls back to its pure-Python, generator-based encoder (a third
of an every-target compile went there); this walks the data with one recursive function and
leaves strings to the C escaper. Anything unusual (non-string keys, other types, cycles)
goes to json.dumps itself, so the bytes are always json's.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C escaper when available (ensure_ascii=False)

_INF = float("inf")


class _Unusual(Exception):
    """Data the fast path does not reproduce byte for byte; json.dumps takes over."""


def dumps(data: object, sort_keys: bool = False, indent: int = 2) -> str:
    """What json.dumps(data, indent=indent, sort_keys=sort_keys, ensure_ascii=False) returns."""
    out: list[str] = []
    try:
        _encode(data, "\n", " " * indent, sort_keys, out, 0)
    except (_Unusual, RecursionError):
        return json.dumps(data, indent=indent, sort_keys=sort_keys, ensure_ascii=False)
    return "".join(out)


def _scalar(o: object) -> str:
    t = type(o)
    if t is str:
        return encode_basestring(o)
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if t is int:
        return int.__repr__(o)
    if t is float:
        if o != o:
            return "NaN"
        if o == _INF:
            return "Infinity"
        if o == -_INF:
            return "-Infinity"
        return float.__repr__(o)
    raise _Unusual


def _encode(o: object, nl: str, step: str, sort_keys: bool, out: list[str], depth: int) -> None:
    """Appends o's text; `nl` is the newline plus the indent of the line o starts on."""
    t = type(o)
    if t is dict:
        if not o:
            out.append("{}")
            return
        if depth > 500:
            raise _Unusual
        inner = nl + step
        sep = "," + inner
        items = o.items()
        if sort_keys:
            try:
                items = sorted(items)
            except TypeError:
                raise _Unusual from None
        out.append("{" + inner)
        first = True
        for key, value in items:
            if type(key) is not str:
                raise _Unusual
            if first:
                first = False
            else:
                out.append(sep)
            vt = type(value)
            if vt is dict or vt is list:
                out.append(encode_basestring(key) + ": ")
                _encode(value, inner, step, sort_keys, out, depth + 1)
            else:
                out.append(encode_basestring(key) + ": " + _scalar(value))
        out.append(nl + "}")
    elif t is list:
        if not o:
            out.append("[]")
            return
        if depth > 500:
            raise _Unusual
        inner = nl + step
        sep = "," + inner
        out.append("[" + inner)
        first = True
        for value in o:
            if first:
                first = False
            else:
                out.append(sep)
            vt = type(value)
            if vt is dict or vt is list:
                _encode(value, inner, step, sort_keys, out, depth + 1)
            else:
                out.append(_scalar(value))
        out.append(nl + "]")
    else:
        out.append(_scalar(o))
