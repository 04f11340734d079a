"""Small projects built in a temporary folder and run through the real pipeline in-process."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from obs.diagnostics import Severity
from obs.pipeline import Build, build

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


@pytest.fixture
def project(tmp_path: Path) -> Callable[..., Build]:
    """project(**{"file.yaml": text}) → the Build of a project holding those files."""
    def make(files: dict[str, str], checks: bool = False) -> Build:
        root = write_project(tmp_path / "p", dict(files))
        return build(root, run_checks=checks)
    return make
