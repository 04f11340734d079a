"""Same input, same bytes: whatever the order files were created in, whatever the hash seed."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import EXAMPLE_SHOP


def _copy_in_order(src: Path, dst: Path, reverse: bool) -> None:
    files = sorted((p for p in src.rglob("*") if p.is_file() and "out" not in p.relative_to(src).parts),
                   reverse=reverse)
    for f in files:
        target = dst / f.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, target)


def _compile(repo: Path, seed: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    result = subprocess.run([sys.executable, "-m", "obs", "compile"], cwd=repo, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return {str(p.relative_to(repo / "out")): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((repo / "out").rglob("*")) if p.is_file()}


def test_compile_is_byte_identical_across_file_order_and_hash_seed(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    _copy_in_order(EXAMPLE_SHOP, a, reverse=False)
    _copy_in_order(EXAMPLE_SHOP, b, reverse=True)
    first, second = _compile(a, "1"), _compile(b, "4242")
    assert first == second
    assert len(first) > 1
    assert _compile(a, "7") == first  # and compiling again changes nothing
