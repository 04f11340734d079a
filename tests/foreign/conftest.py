"""Small projects built in a temporary folder and run through the real pipeline in-process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from foreign_helpers import write_project

from obs.pipeline import Build, build


@pytest.fixture
def project(tmp_path: Path) -> Callable[..., Build]:
    """project(**{"file.yaml": text}) → the Build of a project holding those files."""
    def make(files: dict[str, str], checks: bool = False) -> Build:
        root = write_project(tmp_path / "p", dict(files))
        return build(root, run_checks=checks)
    return make
