"""Golden files of the SLO rule groups generated for the shop fixture's SLOs, beside the
behaviour tests; every generated file passes `promtool check rules`. Regenerate with
OBS_UPDATE_GOLDEN=1."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

from obs.pipeline import build
from obs.rulegen import slo as rulegen
from obs.targets.prometheus import rule_file
from obs.yamlout import dump

GOLDEN = Path(__file__).parent / "golden"


def test_shop_slo_groups_match_golden_and_promtool(shop, promtool, tmp_path):
    result = build(shop, run_checks=False)
    services = sorted({e.service for e in result.catalog.slos if e.origin.format == "obs"})
    assert services, "the shop fixture has SLOs"
    for service in services:
        text = dump(rule_file(rulegen.service_groups(result.catalog, service)))
        path = tmp_path / f"{service}.rules.yaml"
        path.write_text(text)
        proc = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        golden = GOLDEN / f"{service}.slo.rules.yaml"
        if os.environ.get("OBS_UPDATE_GOLDEN"):
            golden.parent.mkdir(exist_ok=True)
            golden.write_text(text)
        assert golden.read_text() == text, f"{golden.name} differs: rerun with OBS_UPDATE_GOLDEN=1 and review"
        names = {r["record"] for g in yaml.safe_load(text)["groups"] for r in g["rules"] if "record" in r}
        assert {"slo:objective:ratio", "slo:error_budget:ratio", "slo:error_budget_remaining:ratio"} <= names
