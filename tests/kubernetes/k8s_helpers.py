"""Helpers for the prometheus-operator and kubesphere target tests (imported by name: pytest puts
this folder on sys.path)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml

from obs.pipeline import Build, build

HERE = Path(__file__).resolve().parent
SCHEMAS = HERE.parent / "schemas"
PAY = HERE / "project"
GOLDEN = HERE / "golden"
RULE_TARGETS = ["prometheus", "prometheus-operator", "kubesphere"]


def copy_project(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, dirs_exist_ok=True)
    for p in [dst, *dst.rglob("*")]:
        p.chmod(p.stat().st_mode | 0o200)
    return dst


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def compiled(root: Path, targets: list[str] | None = None) -> Build:
    """The in-memory build of a project: artifacts and diagnostics, nothing written."""
    return build(root, targets=targets or RULE_TARGETS)


def outputs(result: Build, prefix: str) -> dict[str, str]:
    """Artifacts whose path starts with `prefix`, path → text."""
    return {a.path: a.content.decode("utf-8") for a in result.artifacts if a.path.startswith(prefix)}


def objects(result: Build, prefix: str) -> dict[str, list[dict]]:
    return {path: [d for d in yaml.safe_load_all(text) if d is not None] for path, text in outputs(result, prefix).items()}


def ks_rules(result: Build) -> list[tuple[dict, dict]]:
    """(object, rule) for every rule of every KubeSphere object."""
    return [(obj, rule) for docs in objects(result, "kubernetes/kubesphere-").values() for obj in docs
            for rule in obj["spec"]["rules"]]


def set_defaults(root: Path, targets: list[str] | None = None, **kubernetes) -> None:
    """Edit obs.yaml of a project copy: spec.targets and defaults.kubernetes."""
    doc = yaml.safe_load((root / "obs.yaml").read_text())
    if targets is not None:
        doc["spec"]["targets"] = targets
    doc["spec"].setdefault("defaults", {}).setdefault("kubernetes", {}).update(kubernetes)
    (root / "obs.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))


def codes_of(result: Build, prefix: str = "KB") -> list[str]:
    return sorted(d.code for d in result.diags.items if d.code.startswith(prefix))


def diags_of(result: Build, code: str) -> list:
    return [d for d in result.diags.items if d.code == code]


def run_obs(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The real `obs` entry point in a subprocess, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "obs", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def assert_golden(result: Build, project: str, name: str) -> None:
    """Byte-for-byte output for inputs whose rules are settled (OBS_UPDATE_GOLDEN=1 rewrites)."""
    text = outputs(result, f"kubernetes/{name}")[f"kubernetes/{name}"]
    golden = GOLDEN / project / name
    if os.environ.get("OBS_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text()
