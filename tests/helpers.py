"""Helpers the tests import (`from helpers import run_obs`): paths, copying fixtures, running obs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: the acceptance fixture beside the checkout (absent in a plain clone): use it through copy_shop_fixture
SHOP_FIXTURE = REPO.parent / "shared" / "fixtures" / "shop"
SHARED_ABSENT = "../shared/fixtures/shop is not beside this checkout"
EXAMPLE_SHOP = REPO / "examples" / "shop"
#: the peers' binaries built from their source (pint, pyrra), also absent in a plain clone
SHARED_TOOLS = REPO.parent / "shared" / "tools"


def shared_tool(name: str, variable: str) -> Path:
    """A peer's binary from $VARIABLE or ../shared/tools/NAME; the test is skipped, with the reason,
    where neither is there (a plain clone)."""
    path = Path(os.environ.get(variable) or SHARED_TOOLS / name)
    if not path.is_file():
        import pytest
        pytest.skip(f"{name} is absent ({path}; ../shared/tools/README.md, or set ${variable})")
    return path


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, dirs_exist_ok=True)
    for p in [dst, *dst.rglob("*")]:
        p.chmod(p.stat().st_mode | 0o200)
    return dst


def copy_shop_fixture(dst: Path) -> Path:
    """A writable copy of ../shared/fixtures/shop (read-only for the project); the test is skipped
    when the checkout has no ../shared beside it, as a plain clone has not."""
    if not SHOP_FIXTURE.is_dir():
        import pytest
        pytest.skip(SHARED_ABSENT)
    return copy_tree(SHOP_FIXTURE, dst)


def checkout_env(env: dict | None = None) -> dict:
    """An environment whose `python -m obs` runs this checkout's obs, whatever is installed."""
    base = dict(os.environ if env is None else env)
    base["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), base.get("PYTHONPATH", "")) if p)
    return base


def run_obs(*args: str, cwd: Path, env: dict | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    """Run the real `obs` entry point in a subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "obs", *args], cwd=cwd, capture_output=True, text=True,
                          env=checkout_env(env), timeout=timeout)


def required_tool(name: str, package: str) -> str:
    """The path of a tool the tests run for real; a missing one fails loudly, never skips."""
    path = shutil.which(name)
    if path is None:
        import pytest
        pytest.fail(f"{name} is not installed: run scripts/test.sh (it installs Debian's {package})")
    return path


def lint_source(root: Path, text: str, name: str = "s.yaml",
                targets: str = "prometheus") -> subprocess.CompletedProcess:
    """`obs lint` on a project of one source file, as a user would run it."""
    (root / "obs.yaml").write_text("apiVersion: obs/v1\nkind: Project\nmetadata: {name: p}\n"
                                   f"spec: {{sources: ['*.yaml'], targets: [{targets}]}}\n")
    (root / name).write_text(text)
    return run_obs("lint", cwd=root)
