"""Golden files for every mode and runtime of tests/skywalking/project (OBS_UPDATE_GOLDEN=1 rewrites them)."""

from __future__ import annotations

import os

from tests.skywalking.conftest import GOLDEN, PROJECT, compile_skywalking


def test_every_mode_and_runtime_is_covered(compiled):
    agents = {text.split("SkyWalking ", 1)[1].split(" ", 1)[0]
              for p, text in compiled.items() if p.endswith("patch.yaml")}
    assert agents == {"swck", "init-container", "python", "nodejs"}


def test_outputs_match_golden(compiled):
    if os.environ.get("OBS_UPDATE_GOLDEN"):
        for path, text in compiled.items():
            (GOLDEN / path).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / path).write_text(text)
    expected = {str(p.relative_to(GOLDEN)): p.read_text() for p in GOLDEN.rglob("*.yaml")}
    assert sorted(compiled) == sorted(expected)
    for path in compiled:
        assert compiled[path] == expected[path], f"{path} differs from tests/skywalking/golden/{path}"


def test_compiling_twice_gives_the_same_bytes(compiled):
    again, _ = compile_skywalking(PROJECT)
    assert again == compiled
