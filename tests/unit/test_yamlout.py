"""The fast writer reads back identically in PyYAML and promtool, and is deterministic."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from obs.yamlout import Comment, dump

TRICKY = ["yes", "no", "on", "off", "null", "~", "true", "1", "1.5", "0x1f", "12:30", "1e3", "-", "- x", ": x",
          "#x", "a: b", "a #b", "'q'", '"q"', "{a}", "[a]", "*a", "&a", "!t", "%x", "@x", "`x", "é中文", "",
          " lead", "trail ", "multi\nline", "tab\there", "5m", "1h30m", "back\\slash", "{{ $labels.pod }}"]


@pytest.mark.parametrize("value", TRICKY)
def test_round_trip_of_tricky_strings(value):
    assert yaml.safe_load(dump({"k": value, value or "empty": [value]})) == {"k": value, value or "empty": [value]}


def test_nested_structures_round_trip():
    data = {"a": [{"b": [1, 2.5, None, True], "c": {}}, [], [["x"]]], "d": {"e": {"f": "g"}}}
    assert yaml.safe_load(dump(data)) == data


def test_comments_are_comments():
    text = dump({"groups": [{Comment("source: a.yaml:3:1"): None, "name": "g"}]}, header="generated")
    assert text.startswith("# generated\n")
    assert "# source: a.yaml:3:1" in text
    assert yaml.safe_load(text) == {"groups": [{"name": "g"}]}


def test_promtool_reads_it(tmp_path, promtool):
    rules = {"groups": [{"name": "g", "rules": [{"alert": "A", "expr": 'up{job="a:b"} == 0', "for": "5m",
                                                   "labels": {"severity": "critical", "tier": "1"},
                                                   "annotations": {"summary": "中文 {{ $labels.job }}: yes"}}]}]}
    path = tmp_path / "r.yaml"
    path.write_text(dump(rules))
    result = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
