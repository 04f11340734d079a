"""A YAML writer for obs's outputs: block style, keys in the order given, and each string in the
style a person would write it — plain where every reader takes it for that string, 'single-quoted'
where a plain scalar would be misread, a literal block (`|`) for text with newlines, a folded
block (`>-`) broken at spaces for long lines, "double-quoted" only for what else needs escapes.

Every style reads back as the same string in PyYAML (YAML 1.1, ElastAlert) and Go yaml.v2/v3
(Alertmanager, Prometheus, kubectl); tests/unit/test_yamlout_styles.py proves it on a corpus
of hostile strings. Deterministic, and faster than a generic dumper by an order of magnitude
(benchmarks/writer.py). Styles: obs/yamlstyle.py; docs/decisions.md, section writer-promql.

`Comment("text")` as a mapping key writes `# text` at that place, for provenance.
"""

from __future__ import annotations

from typing import Any

from obs.yamlstyle import HARD, block, number, one_line

__all__ = ["Comment", "dump", "dump_all", "scalar"]


class Comment(str):
    """A mapping key that is written as a comment line, not as data."""

    _n = 0

    def __new__(cls, text: str) -> Comment:
        Comment._n += 1
        obj = super().__new__(cls, f"\x00comment{Comment._n}")
        obj.text = text  # type: ignore[attr-defined]
        return obj


# string -> its one-line form, for strings that are never blocks (short, no newline): names,
# labels and short expressions repeat a lot in large outputs
_LINES: dict[str, str] = {}
_LIMIT = 200_000


def _one(text: str) -> str:
    r = _LINES.get(text)
    if r is None:
        r = one_line(text)
        if len(text) <= HARD and "\n" not in text:
            if len(_LINES) >= _LIMIT:
                _LINES.clear()
            _LINES[text] = r
    return r


def scalar(value: Any) -> str:
    """A scalar on one line (a mapping key, or a value that must stay on its line)."""
    if type(value) is str:
        return _one(value)
    if value is None or value is True or value is False or isinstance(value, (int, float)):
        return number(value)
    return _one(str(value))


def _value(value: Any, indent: str) -> str:
    """A scalar after `key: ` or `- `; block styles continue on lines indented by `indent`."""
    if type(value) is not str:
        if value is None or value is True or value is False or isinstance(value, (int, float)):
            return number(value)
        value = str(value)
    r = _LINES.get(value)
    if r is not None:
        return r
    if len(value) > HARD or "\n" in value:
        text = block(value, indent)
        if text is not None:
            return text
    return _one(value)


def dump(data: Any, header: str | None = None) -> str:
    """One YAML document; `header` becomes leading comment lines."""
    out: list[str] = []
    if header:
        out += [f"# {h}".rstrip() + "\n" for h in header.splitlines()]
    if _is_map(data) and data and not _only_comments(data):
        _mapping(data, "", "", out)
    elif _is_seq(data) and data:
        _sequence(data, "", out)
    elif _is_map(data):
        out.append("{}\n")
    elif _is_seq(data):
        out.append("[]\n")
    else:
        out.append(scalar(data) + "\n")
    return "".join(out)


def dump_all(documents: list[Any], header: str | None = None) -> str:
    return "---\n".join(dump(doc, header if i == 0 else None) for i, doc in enumerate(documents))


def _comment(pad: str, key: Comment, out: list[str]) -> None:
    text = key.text  # type: ignore[attr-defined]
    if "\n" in text or "\r" in text or text.endswith(" "):
        out.extend(f"{pad}# {line}".rstrip() + "\n" for line in text.splitlines() or [""])
    else:
        out.append(f"{pad}# {text}\n")


# (indentation, the items) -> the lines of a mapping of strings to strings: label sets repeat
_FLAT: dict[tuple, str] = {}


def _mapping(data: dict, pad: str, first: str, out: list[str]) -> None:
    """Entries at indentation `pad`; the first line starts with `first` (`- ` in a sequence, and
    then comments before it stand at the dash's indentation)."""
    inner = pad + "  "
    for key, value in data.items():
        if type(key) is str:
            k = _LINES.get(key) or _one(key)
        elif isinstance(key, Comment):
            _comment(first[:-2] if first != pad else pad, key, out)
            continue
        else:
            k = scalar(key)
        t = type(value)
        if t is str:
            out.append(f"{first}{k}: {_LINES.get(value) or _value(value, inner)}\n")
        elif t is dict and value and type(next(iter(value))) is not Comment:
            out.append(f"{first}{k}:\n")
            _nested(value, inner, out)
        elif t is list and value:
            out.append(f"{first}{k}:\n")
            _sequence(value, pad, out)  # at the key's indentation, as kubectl writes them
        elif t is dict or t is list or _is_map(value) or _is_seq(value):
            if not value or (_is_map(value) and _only_comments(value)):
                out.append(f"{first}{k}: {'{}' if _is_map(value) else '[]'}\n")
            elif _is_map(value):
                out.append(f"{first}{k}:\n")
                _nested(value, inner, out)
            else:
                out.append(f"{first}{k}:\n")
                _sequence(value, pad, out)
        else:
            out.append(f"{first}{k}: {_value(value, inner)}\n")
        first = pad


def _nested(value: dict, pad: str, out: list[str]) -> None:
    """A mapping under a key; one of only strings is written once per indentation and items."""
    try:
        key = (pad, tuple(value.items()))
        text = _FLAT.get(key)
    except TypeError:  # a list or mapping inside
        _mapping(value, pad, pad, out)
        return
    if text is None:
        sub: list[str] = []
        _mapping(value, pad, pad, sub)
        text = "".join(sub)
        if all(type(k) is str and type(v) is str for k, v in key[1]):  # 1 == True: only strings
            if len(_FLAT) >= 20_000:
                _FLAT.clear()
            _FLAT[key] = text
    out.append(text)


def _sequence(items: Any, pad: str, out: list[str]) -> None:
    inner = pad + "  "
    dash = pad + "- "
    for item in items:
        t = type(item)
        if t is str:
            out.append(f"{dash}{_LINES.get(item) or _value(item, inner)}\n")
        elif t is dict and item and (type(next(iter(item))) is not Comment or not _only_comments(item)):
            _mapping(item, inner, dash, out)
        elif t is not dict and _is_map(item) and item and not _only_comments(item):
            _mapping(item, inner, dash, out)
        elif _is_seq(item) and item:
            start = len(out)
            _sequence(item, inner, out)
            if out[start].startswith(inner + "#"):  # a comment cannot follow `- `
                out.insert(start, dash.rstrip() + "\n")
            else:
                out[start] = dash + out[start][len(inner):]
        elif _is_map(item):
            out.append(dash + "{}\n")
        elif _is_seq(item):
            out.append(dash + "[]\n")
        else:
            out.append(f"{dash}{_value(item, inner)}\n")


def _is_map(value: Any) -> bool:
    return type(value) is dict or isinstance(value, dict)


def _is_seq(value: Any) -> bool:
    return type(value) is list or isinstance(value, (list, tuple))


def _only_comments(d: dict) -> bool:
    return all(isinstance(k, Comment) for k in d)
