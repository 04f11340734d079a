"""Shared by the commands: find the project, print diagnostics, turn them into an exit code."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from obs import report
from obs.diagnostics import Diagnostic, Diagnostics, exit_code


def emit(diags: Iterable[Diagnostic], fmt: str = "text", output: Path | None = None, quiet_ok: bool = False) -> int:
    """Render diagnostics (to stdout, or to `output`; text also goes to stderr then) and
    return the exit code they call for."""
    items = Diagnostics(list(diags)).sorted()
    rendered = report.FORMATS[fmt](items)
    if output is not None:
        from obs.writer import atomic_write  # here: the writer pulls in the models, which --help needs not
        atomic_write(output, rendered.encode("utf-8"))
        if fmt != "text" and items:
            sys.stderr.write(report.text(items))
    elif not (quiet_ok and not items and fmt == "text"):
        stream = sys.stdout if fmt != "text" else sys.stderr
        stream.write(rendered)
    return exit_code(items)
