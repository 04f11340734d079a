"""How obs writes one YAML scalar: the style a person would choose, restricted to what PyYAML
(YAML 1.1) and Go yaml.v2/v3 all read back as the very same value.

- plain (`sum(rate(x{a="b"}[5m]))`) unless the text starts with an indicator, holds `: ` or
  ` #`, has edge or odd whitespace, or could resolve to anything but a string in any of those
  readers (YAML 1.1 booleans `yes`/`on`/`y`, null, numbers with `_`, `0x`, `0o`, sexagesimal
  `1:30`, timestamps, `.inf`, `<<`, `=`: all that starts with a digit, sign or dot, except
  durations like `5m`);
- 'single-quoted' (`'` doubled) when plain is unsafe and the text is one line of printable
  characters without tabs — "double-quoted" instead where it holds a `'` but no `"` or `\\`,
  which needs no escape either;
- a literal block (`|-`, `|`, `|+`; `|2-` when the first line starts with a space) for text
  with newlines, which keeps them exactly;
- a folded block (`>-`) for a line longer than HARD: it breaks only at a single space between
  two non-spaces, outside PromQL string literals, at the shallowest bracket depth and before
  the PromQL operator of lowest precedence (`or`, then `and`/`unless`, comparisons, ...), so
  the reader joins the lines back with that same space — the string is byte-identical;
- "double-quoted" (JSON escapes, plus `\\u` for what YAML 1.1 reads as a line break or does not
  allow) for the rest: tabs, carriage returns, control characters, and every one-line string
  with a `${NAME}` placeholder, which `obs apply` fills by JSON-escaping into the text
  (obs/alertmanager/secrets.py). A text with newlines (a file embedded in a Secret or
  ConfigMap) is a literal block even with placeholders: they stand in its own "strings".
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

WIDTH = 80  # content characters per folded line where the text allows (the indentation comes on top)
HARD = 100  # ... up to this many for a better break; longer strings than this are folded

_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@` ")  # indicators, and a leading space
_NUMERIC = frozenset("+-.0123456789")  # how every number, timestamp and .inf/.nan starts
_WORDS = frozenset("y yes n no true false on off null ~ << =".split())  # YAML 1.1 bool/null, merge, value
_DURATION = re.compile(r"(?:[0-9]+(?:ms|[ywdhms]))+$")
# Not single-quoted either: line breaks, tabs and characters YAML must escape.
_NOT_SINGLE = re.compile(
    "[^\\x20-\\x7e\\xa0-\\u2027\\u202a-\\ud7ff\\ue000-\\ufefe\\uff00-\\ufffd\\U00010000-\\U0010ffff]")
# For blocks: a line may also hold tabs; no other unprintable character, no CR/NEL/LS/PS.
_NOT_BLOCK = re.compile(
    "[^\\t\\n\\x20-\\x7e\\xa0-\\u2027\\u202a-\\ud7ff\\ue000-\\ufefe\\uff00-\\ufffd\\U00010000-\\U0010ffff]")
_ESCAPE = re.compile("[\\x7f-\\x9f\\u2028\\u2029\\ufeff\\ufffe\\uffff\\ud800-\\udfff]")
_PLACEHOLDER = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")
# PromQL's binary operators, by precedence (lowest first): a line break goes before the lowest.
_FAR = 1 << 48  # more than any position: a preference outweighs any distance
_RANK = {"or": 0, "and": 1, "unless": 1, "==": 2, "!=": 2, ">": 2, "<": 2, ">=": 2, "<=": 2,
         "+": 3, "-": 3, "*": 4, "/": 4, "%": 4, "atan2": 4, "^": 5}


def one_line(text: str) -> str:
    """The plain, single- or double-quoted form of a string, on one line."""
    if text.isprintable():  # no tab, break, control, format, private or odd space character
        if "${" in text and _PLACEHOLDER.search(text) is not None:
            return _double(text)
        if (text and text[0] not in _FIRST and text[-1] not in " :" and ": " not in text and " #" not in text
                and (text[0] not in _NUMERIC or _DURATION.match(text) is not None)
                and (len(text) > 5 or text.lower() not in _WORDS)):
            return text
        return _quoted(text)
    if _NOT_SINGLE.search(text) is None and ("${" not in text or _PLACEHOLDER.search(text) is None):
        return _quoted(text)
    return _double(text)


def _quoted(text: str) -> str:
    """'single' quotes, or "double" ones where the text has a ' and neither " nor \\ (no escapes then)."""
    if "'" in text and '"' not in text and "\\" not in text:
        return '"' + text + '"'
    return "'" + text.replace("'", "''") + "'"


def _double(text: str) -> str:
    out = json.dumps(text, ensure_ascii=False)
    return _ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", out) if _ESCAPE.search(out) else out


def number(value: Any) -> str:
    """None, booleans, ints and floats as every reader resolves them (a float keeps a dot)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = float.__repr__(value)
    if "e" in text and "." not in text:  # YAML 1.1 wants 1.0e-09, not 1e-09
        mantissa, exp = text.split("e")
        text = f"{mantissa}.0e{exp}"
    return text


def block(text: str, indent: str) -> str | None:
    """A literal or folded block whose lines continue at `indent`, or None where neither fits."""
    if "\n" in text:
        return _literal(text, indent)
    if text[0] == " " or text[-1] == " " or not text.isprintable() or (
            "${" in text and _PLACEHOLDER.search(text) is not None):
        return None
    lines = _FOLDED.get(text)
    if lines is None:
        if len(_FOLDED) >= 20_000:
            _FOLDED.clear()
        lines = _FOLDED[text] = _fold(text) or ()
    if not lines:
        return None
    return ">-\n" + "\n".join(indent + line for line in lines)


def _literal(text: str, indent: str) -> str | None:
    if _NOT_BLOCK.search(text) is not None or not text.strip("\n"):
        return None
    if text.endswith("\n\n"):
        head, body = "|+", text[:-1]
    elif text.endswith("\n"):
        head, body = "|", text[:-1]
    else:
        head, body = "|-", text
    if body.lstrip("\n")[:1] in (" ", "\t"):
        head = head[0] + "2" + head[1:]
    return head + "\n" + "\n".join(indent + line if line else "" for line in body.split("\n"))


_FOLDED: dict[str, list[str] | tuple] = {}  # long line -> its folded lines (descriptions repeat)
_WORD: dict[str, tuple[int, int]] = {}  # word -> (bracket depth change, quote count); words repeat


def _word(word: str) -> tuple[int, int]:
    info = _WORD.get(word)
    if info is None:
        if len(_WORD) >= 100_000:
            _WORD.clear()
        c = word.count
        info = _WORD[word] = (c("(") + c("{") - c(")") - c("}"), c('"') + c("`") - c('\\"') - c("\\`"))
    return info


def _fold(text: str) -> list[str] | None:
    """Where to break a long line: between a third of WIDTH and HARD characters into the line,
    at the shallowest depth of ( and {, before the binary operator of lowest precedence if one
    is there, within WIDTH if such a space is there, as late as possible; never inside a
    "string" or `string`; a last line of up to HARD is not broken."""
    words = text.split(" ")
    spaces: list[tuple[int, int]] = []  # (position, preference: depth, then operator rank)
    p, depth, quotes = -1, 0, 0
    for word, after in zip(words, words[1:]):
        p += len(word) + 1
        if word:
            d, q = _WORD.get(word) or _word(word)
            depth += d
            quotes += q
            if after and not quotes & 1:  # a single space between two non-spaces
                spaces.append((p, (depth * 8 + _RANK.get(after, 6)) * 2))
    lines: list[str] = []
    start, i, n = 0, 0, len(spaces)
    while len(text) - start > HARD and i < n:
        late, soft, hard = start + WIDTH // 3, start + WIDTH, start + HARD
        best, k, j = None, i, i
        while j < n:
            p, rank = spaces[j]
            if p > hard:
                break
            if p >= late:
                score = (rank + (p > soft)) * _FAR - p  # lowest wins
                if best is None or score < best:
                    best, k = score, j
            j += 1
        if best is None:  # nothing in the second part: the last space in reach, or the first after
            k = j - 1 if j > i else j
        p = spaces[k][0]
        lines.append(text[start:p])
        start, i = p + 1, k + 1
    if not lines:
        return None
    lines.append(text[start:])
    return lines
