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
    made = []

    def make(files: dict[str, str], checks: bool = False) -> Build:
        made.append(1)  # a fresh folder per call: files of an earlier call never leak into this one
        root = write_project(tmp_path / ("p" if len(made) == 1 else f"p{len(made)}"), dict(files))
        return build(root, run_checks=checks)
    return make
