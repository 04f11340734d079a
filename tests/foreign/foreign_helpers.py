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


def lint_exit(result: Build) -> int:
    """The exit code `obs lint` gives for this build: 1 with an error, else 0 (warnings allowed)."""
    return 1 if errors(result) else 0


def codes_of(result: Build, code: str) -> list[str]:
    """Every finding of one code, rendered (first line)."""
    return [d.render().splitlines()[0] for d in result.diags if d.code == code]


def elastalert_loads(files: dict[str, str], tmp: Path, env: dict | None = None) -> dict:
    """ElastAlert 2's own loader over rule texts we wrote (tests/logs/servers.py has the venv)."""
    import sys
    logs = Path(__file__).resolve().parent.parent / "logs"
    if str(logs) not in sys.path:
        sys.path.insert(0, str(logs))
    from servers import elastalert_load
    tmp.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in files.items():
        (tmp / name).write_text(textwrap.dedent(text).lstrip("\n"))
        paths.append(tmp / name)
    return elastalert_load(paths, env=env)
