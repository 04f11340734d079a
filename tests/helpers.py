"""Helpers the tests import (`from helpers import run_obs`): paths, copying fixtures, running obs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHOP_FIXTURE = REPO.parent / "shared" / "fixtures" / "shop"
EXAMPLE_SHOP = REPO / "examples" / "shop"


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, dirs_exist_ok=True)
    for p in [dst, *dst.rglob("*")]:
        p.chmod(p.stat().st_mode | 0o200)
    return dst


def run_obs(*args: str, cwd: Path, env: dict | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    """Run the real `obs` entry point in a subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "obs", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=timeout)
