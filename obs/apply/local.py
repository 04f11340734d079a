"""Local validators for targets whose server has no dry run: promtool for rule files, amtool
for the Alertmanager config. When the tool is not installed the dry run says so and relies on
the server's reload (which is rolled back when it fails)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


def promtool_check(files: dict[str, bytes]) -> list[str] | None:
    """`promtool check rules` on the files (name → content); None when promtool is not installed."""
    tool = shutil.which("promtool")
    if tool is None or not files:
        return None if tool is None else []
    with tempfile.TemporaryDirectory(prefix="obs-apply-") as tmp:
        paths = []
        for name, content in sorted(files.items()):
            (Path(tmp) / name).write_bytes(content)
            paths.append(str(Path(tmp) / name))
        result = subprocess.run([tool, "check", "rules", *paths], capture_output=True, text=True, timeout=120)
    if result.returncode == 0:
        return []
    text = (result.stdout + result.stderr).replace(tmp + "/", "")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("Checking ")]


def amtool_check(text: str) -> list[str] | None:
    """`amtool check-config` on the filled config, read from stdin so no value touches the disk."""
    tool = shutil.which("amtool")
    if tool is None:
        return None
    result = subprocess.run([tool, "check-config", "/dev/stdin"], input=text, capture_output=True, text=True,
                            timeout=60)
    if result.returncode == 0:
        return []
    out = (result.stdout + result.stderr).replace("Checking '/dev/stdin'", "")
    return [line.strip() for line in out.splitlines()
            if line.strip() and not line.startswith(("amtool: error: failed to validate", "SUCCESS"))]
