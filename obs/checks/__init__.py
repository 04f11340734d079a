"""Lint checks: each a small registered unit with a stable code and a one-line doc.

A check is a function `(build) -> Iterable[Diagnostic]` decorated with `@check(...)`; it reads
the Definitions, the Catalog and the compiled Artifacts, and never prints. Modules in this
package are imported by `run_all`, so adding a check is adding a file.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from obs import codes
from obs.diagnostics import Diagnostic

if TYPE_CHECKING:
    from obs.pipeline import Build

CheckFn = Callable[["Build"], Iterable[Diagnostic]]


@dataclass(frozen=True)
class Check:
    code: str
    name: str
    doc: str
    fn: CheckFn


_CHECKS: dict[str, Check] = {}


def check(code: str, name: str, doc: str) -> Callable[[CheckFn], CheckFn]:
    codes.define(code, name, doc)

    def register(fn: CheckFn) -> CheckFn:
        _CHECKS[code] = Check(code, name, doc, fn)
        return fn
    return register


def load_all() -> list[Check]:
    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")
    return sorted(_CHECKS.values(), key=lambda c: c.code)


def run_all(build: Build) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for c in load_all():
        out.extend(c.fn(build))
    return out
