"""Fixtures for the dashboard tests: the demo project (every template, custom grafanalib and
jsonnet files) compiled once per session, and writable copies for tests that change it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from obs.pipeline import Build, build

PROJECT = Path(__file__).resolve().parent / "project"


def _copy(dst: Path) -> Path:
    shutil.copytree(PROJECT, dst, ignore=shutil.ignore_patterns("__pycache__", "out"))
    return dst


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A writable copy of tests/dashboards/project."""
    return _copy(tmp_path / "demo")


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The demo project built once, with the rules the SLO dashboards read."""
    return build(_copy(tmp_path_factory.mktemp("demo") / "demo"), targets=["grafana", "prometheus"])
