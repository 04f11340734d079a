"""Every shipped pack: loads, is documented, and its alerts are proven on promtool — each
one fires on the failure it names and stays quiet on a healthy series."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import promql_parser
import pytest
import yaml

from obs import packdocs, packs, yamlout
from obs.resources import resource_dir

RULES = resource_dir("rules")
NAMES = packs.available()
EXPECTED = ["calico", "ceph", "elasticsearch", "haproxy", "jvm", "kubernetes-workload", "mysql", "node",
            "rabbitmq", "redis"]


def _pack(name: str) -> packs.RulePack:
    pack, _, defects = packs.load(name)
    assert not defects, [d.render() for d in defects]
    assert pack is not None
    return pack


def test_the_seed_stack_is_covered():
    assert NAMES == EXPECTED


@pytest.mark.parametrize("name", NAMES)
def test_pack_is_well_formed(name):
    pack = _pack(name)
    assert pack.name == name
    text = (RULES / f"{name}.yaml").read_text()
    used = set(packs.PLACEHOLDER.findall(text))
    assert used <= set(pack.spec.parameters), f"placeholders without a parameter: {used - set(pack.spec.parameters)}"
    assert set(pack.spec.parameters) <= used, f"parameters never used: {set(pack.spec.parameters) - used}"
    for alert in pack.spec.alerts:
        assert alert.hint.strip(), alert.name
    rendered = [r for _, r in packs.alert_rules(pack, {})]
    assert all(isinstance(r, packs.AlertRule) for r in rendered), rendered
    assert len({r.name for r in rendered}) == len(rendered), "alert names repeat within the pack"
    for p in pack.spec.parameters.values():
        assert p.default is None or packs.check_value(p, p.default) is None


def test_readme_is_generated_from_the_packs():
    assert (RULES / "README.md").read_text() == packdocs.readme(), \
        "rules/README.md is stale: run `python -m obs.packdocs > rules/README.md`"


def _render(name: str, folder: Path, values: dict | None = None, summary_only: bool = True) -> Path:
    path = folder / f"{name}.rules.yaml"
    path.write_text(yamlout.dump(packs.rule_file(_pack(name), values, summary_only=summary_only)))
    return path


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", NAMES)
def test_pack_unit_tests_pass_on_promtool(name, promtool, tmp_path):
    _render(name, tmp_path)
    shutil.copy(RULES / "tests" / f"{name}.test.yaml", tmp_path)
    result = _run(promtool, "test", "rules", f"{name}.test.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", NAMES)
def test_every_alert_has_a_firing_and_a_quiet_case(name):
    tests = yaml.safe_load((RULES / "tests" / f"{name}.test.yaml").read_text())
    assert tests["rule_files"] == [f"{name}.rules.yaml"]
    firing, quiet = set(), set()
    for case in tests["tests"]:
        for t in case.get("alert_rule_test", []):
            (firing if t.get("exp_alerts") else quiet).add(t["alertname"])
    alerts = {a.name for a in _pack(name).spec.alerts}
    assert alerts - firing == set(), f"alerts never shown firing: {sorted(alerts - firing)}"
    assert alerts - quiet == set(), f"alerts never shown quiet on a healthy series: {sorted(alerts - quiet)}"
    assert (firing | quiet) <= alerts, f"tests name alerts the pack lacks: {sorted((firing | quiet) - alerts)}"


@pytest.mark.parametrize("name", NAMES)
def test_full_pack_and_a_selector_pass_promtool_check(name, promtool, tmp_path):
    """With every annotation and a selector, the rules load; the selector reaches every series."""
    pack = _pack(name)
    values = {k: 'obs_probe="1"' for k, p in pack.spec.parameters.items() if p.type == "selector"}
    path = _render(name, tmp_path, values, summary_only=False)
    result = _run(promtool, "check", "rules", path.name, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    for rule in yaml.safe_load(path.read_text())["groups"][0]["rules"]:
        found = _selectors(promql_parser.parse(rule["expr"]))
        assert found, rule["alert"]
        for sel in found:
            assert 'obs_probe="1"' in str(sel.matchers), f"{rule['alert']}: {sel.name} lacks the selector"


def _selectors(node, out=None) -> list:
    """Every vector selector of a parsed PromQL expression."""
    out = [] if out is None else out
    if type(node).__name__ == "VectorSelector":
        out.append(node)
        return out
    for attr in ("lhs", "rhs", "expr", "args", "vector_selector", "param"):
        value = getattr(node, attr, None)
        for child in (value if isinstance(value, (list, tuple)) else [value] if value is not None else []):
            _selectors(child, out)
    return out
