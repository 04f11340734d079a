"""Fixtures for the SkyWalking target: the sample project compiled in memory, kubectl, the schemas."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from obs.pipeline import build

PROJECT = Path(__file__).parent / "project"
GOLDEN = Path(__file__).parent / "golden"


def compile_skywalking(root: Path) -> tuple[dict[str, str], list]:
    """out/ paths → text of the skywalking target, and the diagnostics, without writing anything."""
    result = build(root, targets=["skywalking"])
    files = {a.path: a.content.decode() for a in result.artifacts if a.target == "skywalking"}
    return files, result.diags.sorted()


def write(files: dict[str, str], out: Path) -> Path:
    for path, text in files.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(text)
    return out


def load(text: str):
    return yaml.safe_load(text)


@pytest.fixture(scope="session")
def compiled() -> dict[str, str]:
    files, diags = compile_skywalking(PROJECT)
    assert not [d.render() for d in diags if d.severity.value != "info"], "the sample project compiles cleanly"
    return files


@pytest.fixture(scope="session")
def out_dir(compiled: dict[str, str], tmp_path_factory) -> Path:
    return write(compiled, tmp_path_factory.mktemp("out"))


def kustomize(kubectl: str, folder: Path) -> list[dict]:
    """`kubectl kustomize` (offline): the built objects, or the test fails with kustomize's message."""
    run = subprocess.run([kubectl, "kustomize", str(folder)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return [d for d in yaml.safe_load_all(run.stdout) if d]
