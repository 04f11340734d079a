"""OpenSLO v1 read as obs Services and SLOs (docs/foreign.md, "OpenSLO")."""

from __future__ import annotations

from foreign_helpers import errors, findings

SLO = """
apiVersion: openslo/v1
kind: SLO
metadata: {{name: {name}}}
spec:
  service: search
  budgetingMethod: Occurrences
  timeWindow: [{{duration: 4w, isRolling: true}}]
  indicator:
    metadata: {{name: i}}
    spec:
      ratioMetric:
        counter: {counter}
        {num}: {{metricSource: {{metricSourceRef: prom, spec: {{query: '{q_num}'}}}}}}
        total: {{metricSource: {{metricSourceRef: prom, spec: {{query: '{q_total}'}}}}}}
  objectives: [{{targetPercent: 99.5}}]
{extra}
"""
DATASOURCE = """
apiVersion: openslo/v1
kind: DataSource
metadata: {name: prom}
spec: {type: Prometheus, connectionDetails: {url: http://prometheus:9090}}
"""


def one(project, extra_docs="", **kw):
    args = {"name": "avail", "counter": "true", "num": "bad", "q_num": 'req_total{code="500"}',
            "q_total": "req_total", "extra": ""}
    args.update(kw)
    result = project({"o.yaml": SLO.format(**args) + "---\n" + DATASOURCE + extra_docs})
    return result, [s for s in result.catalog.slos if s.service == "search"]


def test_selectors_with_counter_become_a_ratio(project):
    result, (slo,) = one(project)
    assert errors(result) == [] and findings(result) == []
    assert slo.window == "28d" and slo.objective == 99.5
    assert slo.spec.sli.ratio.errors == 'req_total{code="500"}' and slo.spec.sli.ratio.total == "req_total"
    assert result.catalog.services["search"].team == "search"


def test_queries_with_their_own_window_become_raw(project):
    result, (slo,) = one(project, num="good", q_num='sum(rate(req_total{code!="500"}[$window]))',
                         q_total="sum(rate(req_total[$window])) + 0")
    assert errors(result) == []
    assert slo.spec.sli.raw.errorRatio.startswith("1 - (")


def test_gauges_are_summed_over_the_window(project):
    result, (slo,) = one(project, counter="false")
    assert errors(result) == []
    assert "sum(sum_over_time(req_total[$window]))" in slo.spec.sli.raw.errorRatio


def test_alert_policies_pick_tiers_and_channels(project):
    policy = """  alertPolicies:
    - kind: AlertPolicy
      metadata: {name: fast}
      spec:
        alertWhenNoData: true
        conditions:
          - kind: AlertCondition
            metadata: {name: fast-burn}
            spec:
              severity: page
              condition: {kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h, alertAfter: 0m}
        notificationTargets: [{targetRef: Search-OnCall}]
    - alertPolicyRef: slow
"""
    slow = """---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: slow}
spec:
  conditions: [{conditionRef: slow-burn}]
  notificationTargets: []
---
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: slow-burn}
spec:
  severity: ticket
  condition: {kind: burnrate, op: gte, threshold: 2, lookbackWindow: 12h, alertAfter: 5m}
"""
    result, (slo,) = one(project, slow, extra=policy)
    alerting = slo.spec.alerting
    assert alerting.page.enabled and alerting.ticket.enabled
    assert alerting.notify == ["search-oncall"] and alerting.absent is not None
    assert findings(result) == ["o.yaml:49:14: warning[IM013]: burn rate 2 over 12h (severity ticket) becomes "
                                "obs's ticket tier: 3x over 1d, 1x over 3d, each with its short window"]


def test_only_a_page_condition_disables_the_ticket_tier(project):
    policy = """  alertPolicies:
    - kind: AlertPolicy
      metadata: {name: fast}
      spec:
        conditions:
          - kind: AlertCondition
            metadata: {name: fast-burn}
            spec:
              severity: critical
              condition: {kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h, alertAfter: 0m}
        notificationTargets: []
"""
    result, (slo,) = one(project, extra=policy)
    assert findings(result) == []
    assert slo.spec.alerting.page.enabled and not slo.spec.alerting.ticket.enabled
