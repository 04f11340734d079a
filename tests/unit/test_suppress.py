"""Suppression comments silence check findings on their line, the next line, or the file."""

from __future__ import annotations

from helpers import lint_source

GROUP = """apiVersion: obs/v1
kind: RuleGroup
metadata: {name: g}
spec:
  rules:
    - alert: NoSeverity{suffix}
      expr: up == 0
"""


def _lint(tmp_path, text):
    return lint_source(tmp_path, text, name="g.yaml").stderr


def test_findings_without_comment_are_reported(tmp_path):
    out = _lint(tmp_path, GROUP.replace("{suffix}", ""))
    assert "warning[AL001]" in out and "warning[AL002]" in out


def test_comment_on_the_line_above(tmp_path):
    out = _lint(tmp_path, GROUP.replace("{suffix}", "").replace("    - alert", "    # obs: disable=AL001\n    - alert"))
    assert "AL001" not in out and "AL002" in out


def test_file_wide_comment(tmp_path):
    out = _lint(tmp_path, "# obs: disable-file=AL001, AL002\n" + GROUP.replace("{suffix}", ""))
    assert "AL00" not in out


def test_schema_errors_cannot_be_suppressed(tmp_path):
    out = _lint(tmp_path, "# obs: disable-file=SC001\n" + GROUP.replace("{suffix}", "") + "      colour: red\n")
    assert "error[SC001]" in out
