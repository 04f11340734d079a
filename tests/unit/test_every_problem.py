"""An item with two independent problems reports both in one run (issue #11): a document that
fails the schema keeps its other items for the checks, and a failed item is still read for
the fields that do not depend on the failed one."""

from __future__ import annotations

from helpers import lint_source

from obs.pipeline import build

SERVICE = """apiVersion: obs/v1
kind: Service
metadata: {name: api, team: core}
spec:
  slos:
    - name: avail
      objective: 0.999
      sli: {ratio: {errors: 'sum(rate(x{code="500"}[5m]))', total: x}}
    - name: fine
      objective: 99.9
      sli: {ratio: {errors: 'x{code="500"}', total: x}}
  logAlerts:
    - name: errors
      query: 'log:"ERROR"'
      when: count > 20 in 5m
      severity: critical
      summary: Errors
    - name: sibling
      query: 'log:"x"'
      when: count > many in 5m
      severity: critical
      summary: Sibling
"""


def _found(result) -> list[str]:
    return [line.split(": error[")[1][:5] + " " + line.split(": error[")[0]
            for line in result.stderr.splitlines() if ": error[" in line]


def test_a_missing_summary_does_not_hide_a_bad_condition(tmp_path):
    result = lint_source(tmp_path, """apiVersion: obs/v1
kind: Service
metadata: {name: api, team: core}
spec:
  logAlerts:
    - name: errors
      query: 'log:"ERROR"'
      when: count > lots in 5m
      severity: critical
""")
    assert _found(result) == ["SC003 s.yaml:6:7", "LG001 s.yaml:8:21"]


def test_a_standalone_item_reports_both_too(tmp_path):
    result = lint_source(tmp_path, """apiVersion: obs/v1
kind: AlertRule
metadata: {name: ApiDown, service: api}
spec:
  expr: up == 0 +
  severity: critical
---
apiVersion: obs/v1
kind: Service
metadata: {name: api, team: core}
""")
    assert _found(result) == ["SC003 s.yaml:5:3", "PQ001 s.yaml:5:9"]


def test_the_other_items_of_a_broken_service_are_checked_and_kept(tmp_path):
    result = lint_source(tmp_path, SERVICE)
    assert _found(result) == ["SC004 s.yaml:7:18", "SL001 s.yaml:8:29", "LG001 s.yaml:20:21"]
    catalog = build(tmp_path).catalog
    assert "api" in catalog.services  # no echo of an unknown service for what refers to it
    assert [s.name for s in catalog.slos] == ["fine"] and [a.name for a in catalog.log_alerts] == ["errors",
                                                                                                   "sibling"]


def test_what_depends_on_the_broken_field_is_not_guessed(tmp_path):
    """A bad `when:` given as the wrong type is one schema error, not also a condition error."""
    result = lint_source(tmp_path, """apiVersion: obs/v1
kind: Service
metadata: {name: api, team: core}
spec:
  logAlerts:
    - name: errors
      query: 'log:"ERROR"'
      when: [count]
      severity: critical
""")
    assert [f.split()[0] for f in _found(result)] == ["SC003", "SC002"]


def test_a_cross_field_rule_is_not_skipped_because_another_field_failed(tmp_path):
    """pydantic runs an item's own cross-field rules only when every field passed."""
    result = lint_source(tmp_path, """apiVersion: obs/v1
kind: Service
metadata: {name: api, team: core}
spec:
  logAlerts:
    - name: errors
      query: 'log:"ERROR"'
      filter: {term: {level: ERROR}}
      when: any
      severity: critical
""")
    assert [line for line in result.stderr.splitlines() if ": error[" in line] == [
        "s.yaml:6:7: error[SC003]: missing required field 'summary' in spec.logAlerts[0]",
        "s.yaml:6:7: error[SC007]: spec.logAlerts[0]: give 'query' (Lucene) or 'filter' (query DSL), not both"]
