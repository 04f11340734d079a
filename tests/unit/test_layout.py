"""The layout of DESIGN.md stays visible, and modules stay small enough to read."""

from __future__ import annotations

from helpers import REPO

LIMIT = 330  # "files under ~300 lines"


def test_design_layout_folders_exist():
    for folder in ("obs/load", "obs/model", "obs/targets", "obs/checks", "obs/live", "obs/apply", "rules",
                   "dashboards", "manifests", "ci", "examples/shop", "tests/unit", "tests/golden",
                   "tests/bad_inputs", "benchmarks", "scripts"):
        assert (REPO / folder).is_dir(), folder
    for module in ("cli.py", "project.py", "resolve.py", "slo.py", "report.py"):
        assert (REPO / "obs" / module).is_file(), module


def test_no_module_is_too_long():
    long = {str(p.relative_to(REPO)): n for p in (REPO / "obs").rglob("*.py")
            if (n := len(p.read_text("utf-8").splitlines())) > LIMIT}
    assert long == {}
