"""Helpers of the foreign-format tests (a uniquely named module: importing from conftest would
resolve to whichever conftest pytest happened to load last)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from obs.diagnostics import Severity
from obs.pipeline import Build

PROJECT = """apiVersion: obs/v1
kind: Project
metadata: {name: t}
spec:
  sources: ["*.yaml"]
  targets: [prometheus]
"""


def write_project(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "obs.yaml").write_text(files.pop("obs.yaml", PROJECT))
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def errors(result: Build) -> list[str]:
    return [d.render() for d in result.diags if d.severity is Severity.ERROR]


def findings(result: Build, prefix: str = "IM") -> list[str]:
    return [d.render() for d in result.diags if d.code.startswith(prefix)]
