"""Shared fixtures: a writable copy of the shop fixture, running obs, the promtool binary."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHOP_FIXTURE = REPO.parent / "shared" / "fixtures" / "shop"
EXAMPLE_SHOP = REPO / "examples" / "shop"


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, dirs_exist_ok=True)
    for p in [dst, *dst.rglob("*")]:
        p.chmod(p.stat().st_mode | 0o200)
    return dst


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A writable copy of ../shared/fixtures/shop (read-only for the project)."""
    if not SHOP_FIXTURE.is_dir():
        pytest.skip("../shared/fixtures/shop is not beside this checkout")
    return copy_tree(SHOP_FIXTURE, tmp_path / "shop")


@pytest.fixture
def example_shop(tmp_path: Path) -> Path:
    return copy_tree(EXAMPLE_SHOP, tmp_path / "example-shop")


def run_obs(*args: str, cwd: Path, env: dict | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    """Run the real `obs` entry point in a subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "obs", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=timeout)


@pytest.fixture(scope="session")
def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.fail("promtool is not installed: run scripts/test.sh (it installs Debian's prometheus)")
    return path
