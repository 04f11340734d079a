"""Every malformed input gives exactly its one expected `file:line:col: error[CODE]` line and
the right exit code, through the real CLI — never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from runner import PROJECT, case_files, run_case, split

CASES = case_files()


def test_there_are_at_least_fifty_cases():
    assert len(CASES) >= 50


def _errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": error[" in line]


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_one_line_per_problem(case: Path, tmp_path: Path):
    expected, code, _ = split(case)
    result = run_case(case, tmp_path)
    assert "Traceback" not in result.stderr + result.stdout
    assert _errors(result.stderr) == expected
    assert result.returncode == code  # how fast: benchmarks/README.md


def _lint(tmp_path: Path, name: str, content: bytes) -> subprocess.CompletedProcess:
    (tmp_path / "obs.yaml").write_text(PROJECT)
    (tmp_path / name).write_bytes(content)
    return subprocess.run([sys.executable, "-m", "obs", "lint"], cwd=tmp_path, capture_output=True, text=True)


def test_huge_file_is_refused_before_parsing(tmp_path: Path):
    result = _lint(tmp_path, "huge.yaml", b"a: " + b"x" * (9 * 1024 * 1024) + b"\n")
    assert _errors(result.stderr) == ["huge.yaml:1:1: error[YM002]: file is 9,437,188 bytes; obs reads YAML files "
                                      "up to 8,388,608"]
    assert result.returncode == 1


def test_binary_file_is_one_line(tmp_path: Path):
    result = _lint(tmp_path, "bin.yaml", b"a: \xff\xfe\n")
    assert _errors(result.stderr) == ["bin.yaml:1:1: error[YM008]: not UTF-8 text (byte 3)"]


def test_no_project_is_a_usage_error(tmp_path: Path):
    result = subprocess.run([sys.executable, "-m", "obs", "lint"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 2
    assert "error[CF001]" in result.stderr and "Traceback" not in result.stderr


def test_unknown_option_is_a_usage_error(tmp_path: Path):
    result = subprocess.run([sys.executable, "-m", "obs", "lint", "--format", "xml"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 2
