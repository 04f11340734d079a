"""The shop fixture's legacy/ files are read as they are: no diagnostics of their own, and
everything they define reaches the compiled rules with positions in the original files."""

from __future__ import annotations

import subprocess

import yaml
from helpers import run_obs

from obs.pipeline import build


def test_legacy_files_compile_without_findings(shop):
    result = build(shop)
    legacy = [d.render() for d in result.diags if d.pos and d.pos.file.startswith("legacy/")
              and (d.severity.value == "error" or d.code.startswith("IM"))]
    assert legacy == []
    cat = result.catalog
    assert cat.services["payments-gateway"].origin.format == "sloth"
    assert cat.services["search"].origin.format == "openslo"
    assert {(s.service, s.name) for s in cat.slos} >= {("payments-gateway", "requests-availability"),
                                                        ("search", "search-availability")}
    (oom,) = [a for a in cat.log_alerts if a.name == "java-oom-errors"]
    assert oom.raw is not None and oom.spec.when == "count >= 1 in 5m"
    (group,) = [g for g in cat.rule_groups if g.name == "node-health"]
    assert group.origin.pos.file == "legacy/prometheus-rules.yaml"


def test_compile_writes_the_legacy_rules_and_promtool_accepts_them(shop, promtool):
    done = run_obs("compile", cwd=shop)
    node = shop / "out" / "prometheus" / "node-health.rules.yaml"
    assert node.exists(), done.stderr
    text = node.read_text()
    assert "# source: legacy/prometheus-rules.yaml:4:9" in text
    rules = yaml.safe_load(text)["groups"][0]["rules"]
    assert rules[0]["labels"] == {"cluster": "prod-sh", "severity": "warning"}
    check = subprocess.run([promtool, "check", "rules", str(node)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
