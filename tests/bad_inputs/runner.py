"""Runs one bad-input case the way a user would: a temporary project, the real `obs lint`."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = """apiVersion: obs/v1
kind: Project
metadata: {name: bad}
spec:
  sources: ["*.yaml"]
  targets: [prometheus]
"""


def case_files() -> list[Path]:
    return sorted((HERE / "cases").glob("*.yaml")) + sorted((HERE / "project").glob("*.yaml"))


def split(case: Path) -> tuple[list[str], int, bytes]:
    """Expected lines and exit code from the case's .expect file; the case file is the input."""
    expect = case.with_suffix(".expect")
    lines = expect.read_text("utf-8").splitlines() if expect.exists() else []
    code = next((int(x.split(":", 1)[1]) for x in lines if x.startswith("exit:")), 1)
    return [x for x in lines if not x.startswith("exit:")], code, case.read_bytes()


def project_for(case: bytes) -> str:
    """PROJECT, with the targets a first line `# targets: a, b` of the case names (checks that only run for
    some targets: kubesphere objects, log alerts)."""
    m = re.match(rb"#\s*targets:\s*([a-z, -]+)\n", case)
    return PROJECT.replace("targets: [prometheus]", f"targets: [{m.group(1).decode().strip()}]") if m else PROJECT


def run_case(case: Path, tmp: Path) -> subprocess.CompletedProcess:
    if case.parent.name == "project":
        (tmp / "obs.yaml").write_bytes(case.read_bytes())
    else:
        (tmp / "obs.yaml").write_text(project_for(case.read_bytes()))
        (tmp / "bad.yaml").write_bytes(case.read_bytes())
    return subprocess.run([sys.executable, "-m", "obs", "lint"], cwd=tmp, capture_output=True, text=True,
                          timeout=60)


if __name__ == "__main__":
    import tempfile
    for case in case_files():
        with tempfile.TemporaryDirectory() as d:
            r = run_case(case, Path(d))
            lines = [x for x in r.stderr.splitlines() if ": error[" in x or ": warning[" in x]
            print(f"== {case.parent.name}/{case.name} exit={r.returncode}")
            for x in r.stderr.splitlines()[:-1]:
                print("   " + x)
