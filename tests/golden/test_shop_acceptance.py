"""The shop fixture and examples/shop: lint clean, compile every target, promtool accepts the rules."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers import run_obs


@pytest.mark.parametrize("repo_fixture", ["shop", "example_shop"])
def test_lint_and_compile_clean(repo_fixture, request, promtool):
    repo: Path = request.getfixturevalue(repo_fixture)
    lint = run_obs("lint", cwd=repo)
    assert lint.returncode == 0, lint.stderr
    assert "error[" not in lint.stderr
    compiled = run_obs("compile", cwd=repo)
    assert compiled.returncode == 0, compiled.stderr
    rule_files = sorted((repo / "out" / "prometheus").glob("*.rules.yaml"))
    assert rule_files, "no rule files written"
    check = subprocess.run([promtool, "check", "rules", *map(str, rule_files)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_every_target_of_the_fixture_produces_output(shop):
    assert run_obs("compile", cwd=shop).returncode == 0
    out = shop / "out"
    for folder in ("prometheus", "kubernetes", "grafana", "elastalert", "watcher", "skywalking", "alertmanager"):
        assert any((out / folder).rglob("*")), f"out/{folder} is empty"
