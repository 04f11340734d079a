"""Write constraints.txt: the exact versions of obs's dependencies (runtime and [test], with
everything they pull in) as installed in this environment, so that scripts/test.sh and the
Docker image resolve on a fresh machine what the tests last passed with.

Run after changing a range in pyproject.toml and passing the suite:
    python3 scripts/freeze-constraints.py > constraints.txt
"""

from __future__ import annotations

import importlib.metadata as md
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def closure(requirements: list[str]) -> dict[str, str]:
    """name → installed version of the requirements and all they depend on (markers evaluated here)."""
    found: dict[str, str] = {}
    todo = [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name in found or (req.marker and not req.marker.evaluate({"extra": ""})):
            continue
        try:
            dist = md.distribution(req.name)
        except md.PackageNotFoundError:
            sys.exit(f"{req.name} is not installed: run scripts/test.sh first")
        found[name] = dist.version
        todo.extend(Requirement(r) for r in dist.requires or [])
    return found


def main() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = closure(project["dependencies"] + project["optional-dependencies"]["test"])
    print("# Exact versions the test suite passed with (scripts/freeze-constraints.py writes this file).")
    print("# scripts/test.sh and the Dockerfile install with `-c constraints.txt`.")
    for name in sorted(pins):
        print(f"{name}=={pins[name]}")


if __name__ == "__main__":
    main()
