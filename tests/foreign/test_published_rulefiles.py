"""Prometheus rule files as promtool reads them (issue 15): any alert name (a warning where
matchers must quote it), a group with `rules:` and nothing under it, and group names that are
never cut into a collision. Each input also goes through promtool itself."""

from __future__ import annotations

import subprocess

from foreign_helpers import codes_of, errors, lint_exit

PARENS = """
groups:
  - name: cassandra-criteo
    rules:
      - alert: CassandraPendingTasks(criteo)
        expr: cassandra_pending_tasks > 15
        for: 2m
        labels: {severity: warning}
        annotations: {summary: Pending tasks}
      - alert: Cert-managerAbsent
        expr: absent(up{job="cert-manager"})
        labels: {severity: critical}
        annotations: {summary: cert-manager is gone}
"""

EMPTY = """
groups:
  - name: placeholder
    rules:
  - name: later
"""

LONG = "sloth-slo-sli-recordings-payments-gateway-requests-availability-{0}"
TWO_LONG = f"""
groups:
  - name: {LONG.format("eu-west")}
    rules:
      - record: job:up:sum
        expr: sum(up{{region="eu-west"}})
  - name: {LONG.format("eu-east")}
    rules:
      - record: job:up:sum
        expr: sum(up{{region="eu-east"}})
"""


def promtool_accepts(promtool, tmp_path, text) -> bool:
    path = tmp_path / "promtool-input.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return subprocess.run([promtool, "check", "rules", str(path)], capture_output=True).returncode == 0


def test_any_alert_name_prometheus_takes_is_a_warning(project, promtool, tmp_path):
    assert promtool_accepts(promtool, tmp_path, PARENS)
    result = project({"rules.yaml": PARENS}, checks=True)
    assert lint_exit(result) == 0, errors(result)
    assert codes_of(result, "SC015") == [
        "rules.yaml:4:16: warning[SC015]: alert name 'CassandraPendingTasks(criteo)' has characters beyond letters, "
        "digits and '_': Prometheus accepts it, but Alertmanager matchers and amtool need it quoted",
        "rules.yaml:9:16: warning[SC015]: alert name 'Cert-managerAbsent' has characters beyond letters, digits "
        "and '_': Prometheus accepts it, but Alertmanager matchers and amtool need it quoted"]
    rules = [r.alert for g in result.catalog.rule_groups for r in g.rules]
    assert rules == ["CassandraPendingTasks(criteo)", "Cert-managerAbsent"]
    compiled = next(a for a in result.artifacts if a.path.startswith("prometheus/")).content
    assert promtool_accepts(promtool, tmp_path, compiled)


def test_an_empty_alert_name_is_refused_as_promtool_does(project, promtool, tmp_path):
    text = PARENS.replace("alert: CassandraPendingTasks(criteo)", "alert: ''")
    assert not promtool_accepts(promtool, tmp_path, text)
    assert lint_exit(project({"rules.yaml": text}, checks=True)) == 1


def test_a_group_with_nothing_under_rules_is_an_empty_group(project, promtool, tmp_path):
    assert promtool_accepts(promtool, tmp_path, EMPTY)
    result = project({"rules.yaml": EMPTY}, checks=True)
    assert lint_exit(result) == 0, errors(result)
    assert sorted((g.name, len(g.rules)) for g in result.catalog.rule_groups) == [("later", 0), ("placeholder", 0)]
    bad = EMPTY.replace("    rules:\n", "    rules: {a: 1}\n")
    assert not promtool_accepts(promtool, tmp_path, bad)
    assert errors(project({"rules.yaml": bad}, checks=True)) == [
        "rules.yaml:3:12: error[IM020]: a rule group's 'rules' must be a list"]


def test_long_group_names_are_never_cut_into_one(project, promtool, tmp_path):
    assert promtool_accepts(promtool, tmp_path, TWO_LONG)
    result = project({"rules.yaml": TWO_LONG}, checks=True)
    assert lint_exit(result) == 0, errors(result)
    assert sorted(g.name for g in result.catalog.rule_groups) == [LONG.format("eu-east"), LONG.format("eu-west")]


def test_a_group_name_too_long_for_a_file_name_says_which_limit(project):
    text = TWO_LONG.replace(LONG.format("eu-west"), "g" * 241)
    assert any("at most 240 characters, so that out/prometheus/<group>.rules.yaml fits a file name's 255 bytes" in e
               for e in errors(project({"rules.yaml": text}, checks=True)))
