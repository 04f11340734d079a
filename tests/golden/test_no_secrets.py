"""Secrets never land: with every `{env: NAME}` of the example set to a recognisable value,
no file in out/ and no line obs prints holds any of them."""

from __future__ import annotations

import os
import re
from pathlib import Path

from helpers import run_obs


def _env_names(repo: Path) -> set[str]:
    names = set()
    for path in repo.rglob("*.yaml"):
        names |= set(re.findall(r"\{\s*env:\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}", path.read_text("utf-8")))
    return names


def test_no_secret_value_reaches_out_or_output(example_shop):
    names = _env_names(example_shop)
    assert len(names) >= 5
    secrets = {name: f"s3cr3t-{name.lower()}-9f8e7d" for name in names}
    env = {**os.environ, **secrets}
    printed = ""
    for command in (["lint"], ["compile"], ["explain", "checkout"]):
        result = run_obs(*command, cwd=example_shop, env=env)
        assert result.returncode == 0, result.stderr
        printed += result.stdout + result.stderr
    leaked = {}
    for path in (example_shop / "out").rglob("*"):
        if path.is_file():
            text = path.read_text("utf-8", errors="replace")
            hits = [n for n, v in secrets.items() if v in text]
            if hits:
                leaked[str(path.relative_to(example_shop))] = hits
    assert leaked == {}
    assert not [n for n, v in secrets.items() if v in printed]
