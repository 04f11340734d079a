"""One problem type for every stage: load, schema, checks, targets, live validation.

Errors are values: stages return Diagnostics, only the CLI turns them into output and an
exit code. Every diagnostic points at the line a person must edit.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Position:
    """A place in a file, 1-based line and column."""

    file: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    pos: Position | None = None
    severity: Severity = Severity.ERROR
    hint: str | None = None
    #: True for problems in how obs was called or configured (exit code 2, not 1)
    config: bool = False

    def render(self) -> str:
        where = f"{self.pos}: " if self.pos else ""
        return f"{where}{self.severity.value}[{self.code}]: {self.message}"

    def sort_key(self) -> tuple:
        p = self.pos or Position("")
        return (p.file, p.line, p.col, self.code, self.message)


@dataclass
class Diagnostics:
    """A collector that stages append to; iteration gives them in file order."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diag: Diagnostic) -> None:
        self.items.append(diag)

    def error(self, code: str, message: str, pos: Position | None = None, hint: str | None = None,
              config: bool = False) -> None:
        self.items.append(Diagnostic(code, message, pos, Severity.ERROR, hint, config))

    def warning(self, code: str, message: str, pos: Position | None = None, hint: str | None = None) -> None:
        self.items.append(Diagnostic(code, message, pos, Severity.WARNING, hint))

    def extend(self, diags: Iterable[Diagnostic]) -> None:
        self.items.extend(diags)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        seen: set[tuple] = set()
        out = []
        for d in sorted(self.items, key=Diagnostic.sort_key):
            key = (d.sort_key(), d.severity)
            if key not in seen:
                seen.add(key)
                out.append(d)
        return out

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.sorted())

    def __len__(self) -> int:
        return len(self.items)


class ObsError(Exception):
    """Raised only to stop a stage that cannot go on; carries its diagnostics to the CLI."""

    def __init__(self, *diags: Diagnostic) -> None:
        super().__init__("; ".join(d.render() for d in diags))
        self.diagnostics = list(diags)


def exit_code(diags: Iterable[Diagnostic]) -> int:
    """SPEC §3: 2 for usage or configuration errors, 1 for error findings, else 0."""
    code = 0
    for d in diags:
        if d.severity is Severity.ERROR:
            if d.config:
                return 2
            code = 1
    return code
