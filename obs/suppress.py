"""In-file suppressions, as pint's `# pint disable` or ruff's `noqa`:

    expr: up == 0   # obs: disable=AL002
    # obs: disable=SE001          (on the line above the finding)
    # obs: disable-file=AL001     (anywhere in the file: the whole file)

Only findings of registered checks can be suppressed; schema and loading errors cannot,
since what they reject cannot be compiled.
"""

from __future__ import annotations

import re
from pathlib import Path

from obs.diagnostics import Diagnostic

_MARK = re.compile(r"#\s*obs:\s*disable(-file)?=([A-Z]{2}\d{3}(?:\s*,\s*[A-Z]{2}\d{3})*)")
NEVER = ("YM", "SC", "CF")


def _marks(text: str) -> tuple[dict[int, set[str]], set[str]]:
    lines: dict[int, set[str]] = {}
    whole: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        for m in _MARK.finditer(line):
            found = {c.strip() for c in m.group(2).split(",")}
            if m.group(1):
                whole |= found
            else:
                lines.setdefault(number, set()).update(found)
    return lines, whole


def apply(diags: list[Diagnostic], root: Path) -> list[Diagnostic]:
    """The diagnostics that no suppression comment in their file covers."""
    cache: dict[str, tuple[dict[int, set[str]], set[str]]] = {}
    kept = []
    for d in diags:
        if d.pos is None or d.code.startswith(NEVER):
            kept.append(d)
            continue
        if d.pos.file not in cache:
            try:
                cache[d.pos.file] = _marks((root / d.pos.file).read_text("utf-8"))
            except (OSError, UnicodeDecodeError):
                cache[d.pos.file] = ({}, set())
        lines, whole = cache[d.pos.file]
        if d.code in whole or d.code in lines.get(d.pos.line, ()) or d.code in lines.get(d.pos.line - 1, ()):
            continue
        kept.append(d)
    return kept
