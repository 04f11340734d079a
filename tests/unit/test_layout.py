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


def test_every_code_obs_can_emit_is_listed():
    """`obs lint --list-checks` is the reference users search: no code may be missing from it."""
    import re
    import subprocess
    import sys
    listed = set(re.findall(r"^([A-Z]{2}\d{3}) ", subprocess.run(
        [sys.executable, "-m", "obs", "lint", "--list-checks"], capture_output=True, text=True).stdout, re.M))
    used = {m for p in (REPO / "obs").rglob("*.py") for m in re.findall(r'"([A-Z]{2}\d{3})"', p.read_text("utf-8"))}
    assert used - listed == set()


def test_test_file_names_are_unique():
    """pytest's default import mode refuses two test modules of one name in folders without
    __init__.py: the whole run stops at collection."""
    from collections import Counter
    names = Counter(p.name for p in (REPO / "tests").rglob("test_*.py"))
    assert [n for n, c in names.items() if c > 1] == []


def test_no_test_imports_from_conftest():
    """Several folders have a conftest.py; `from conftest import` gets whichever was loaded last."""
    offenders = [str(p.relative_to(REPO)) for p in (REPO / "tests").rglob("*.py")
                 if "from conftest import" in p.read_text("utf-8") and p.name != "test_layout.py"]
    assert offenders == []
