"""OpenSLO as its own tools read it (issue 15): the YAML list of objects the go-sdk decodes,
`openslo/v1alpha` as Sloth reads it, and what oslo validate refuses (a name that is not a DNS
label, a field the go-sdk does not have, an SLO without timeWindow) refused with the reason.
Each input was run through oslo validate (and Sloth for v1alpha) when it was written."""

from __future__ import annotations

from foreign_helpers import errors, findings, lint_exit

AS_LIST = """
- apiVersion: openslo/v1
  kind: Service
  metadata: {name: search, labels: {team: discovery}}
  spec: {description: Search API}
- apiVersion: openslo/v1
  kind: DataSource
  metadata: {name: prom}
  spec: {type: Prometheus, connectionDetails: {url: "http://prometheus:9090"}}
- apiVersion: openslo/v1
  kind: SLO
  metadata: {name: search-availability}
  spec:
    service: search
    budgetingMethod: Occurrences
    timeWindow: [{duration: 28d, isRolling: true}]
    indicatorRef: search-errors
    objectives: [{target: 0.995}]
- apiVersion: openslo/v1
  kind: SLI
  metadata: {name: search-errors}
  spec:
    ratioMetric:
      counter: true
      bad: {metricSource: {metricSourceRef: prom, spec: {query: 'search_requests_total{code=~"5.."}'}}}
      total: {metricSource: {metricSourceRef: prom, spec: {query: search_requests_total}}}
"""

V1ALPHA = """
apiVersion: openslo/v1alpha
kind: SLO
metadata: {name: checkout-requests, displayName: Checkout requests}
spec:
  service: checkout
  description: Requests answered without a 5xx
  budgetingMethod: Occurrences
  objectives:
    - ratioMetrics:
        good: {source: prometheus, queryType: promql,
               query: 'sum(rate(http_requests_total{job="checkout",code!~"5.."}[{{.window}}]))'}
        total: {source: prometheus, queryType: promql,
                query: 'sum(rate(http_requests_total{job="checkout"}[{{.window}}]))'}
      target: 0.999
    - ratioMetrics:
        good: {source: prometheus, queryType: promql,
               query: 'sum(rate(http_requests_total{job="checkout",code!~"5..",path="/pay"}[{{.window}}]))'}
        total: {source: prometheus, queryType: promql,
                query: 'sum(rate(http_requests_total{job="checkout",path="/pay"}[{{.window}}]))'}
      target: 0.99
  timeWindows:
    - count: 30
      unit: Day
"""


def test_a_list_of_objects_reads_like_separate_documents(project):
    result = project({"openslo.yaml": AS_LIST}, checks=True)
    assert lint_exit(result) == 0, errors(result)
    (slo,) = result.catalog.slos
    assert (slo.service, slo.name, slo.objective, slo.window) == ("search", "search-availability", 99.5, "28d")
    assert slo.spec.sli.ratio.errors == 'search_requests_total{code=~"5.."}'
    assert result.catalog.services["search"].team == "discovery"
    assert slo.origin.pos.line == 13  # inside the SLO list item (its spec), not at the document start


def test_a_list_of_other_things_is_still_not_a_document(project):
    assert errors(project({"l.yaml": "- groups: []\n- apiVersion: openslo/v1\n"})) == [
        "l.yaml:1:1: error[YM007]: a document must be a mapping"]


def test_v1alpha_reads_as_sloth_reads_it(project):
    result = project({"v1alpha.yaml": V1ALPHA}, checks=True)
    assert lint_exit(result) == 0, errors(result)
    slos = {s.name: s for s in result.catalog.slos}
    assert sorted(slos) == ["checkout-requests-0", "checkout-requests-1"]  # Sloth's names, one per objective
    first = slos["checkout-requests-0"]
    assert (first.objective, first.window, first.service) == (99.9, "30d", "checkout")
    assert first.spec.sli.ratio.good == 'http_requests_total{job="checkout",code!~"5.."}'
    assert slos["checkout-requests-1"].objective == 99.0
    assert not first.spec.alerting.page.enabled and not first.spec.alerting.ticket.enabled  # Sloth makes none
    assert first.origin.pos.line == 5  # its spec in the v1alpha file


def test_v1alpha_fields_sloth_ignores_are_warnings(project):
    result = project({"v1alpha.yaml": V1ALPHA.replace("  budgetingMethod:", "  owner: payments\n  budgetingMethod:")})
    assert lint_exit(result) == 0, errors(result)
    assert findings(result) == ["v1alpha.yaml:7:3: warning[IM010]: an OpenSLO v1alpha SLO spec has no field 'owner'; "
                                "obs ignores it"]


def test_v1alpha_what_obs_cannot_honour_is_refused_with_the_reason(project):
    calendar = V1ALPHA.replace("      unit: Day\n", "      unit: Day\n      calendar: {startTime: 2024-01-01 00:00:00, "
                                                  "timeZone: UTC}\n")
    months = V1ALPHA.replace("unit: Day", "unit: Month")
    assert errors(project({"c.yaml": calendar})) == [
        "c.yaml:24:17: error[IM011]: obs SLOs have rolling windows; calendar-aligned windows are not supported"]
    assert errors(project({"m.yaml": months})) == [
        "m.yaml:22:7: error[IM011]: time window 30 'Month' is not a fixed length obs can roll over"]
    datadog = V1ALPHA.replace("good: {source: prometheus", "good: {source: datadog", 1)
    assert [e.split(": ", 2)[2] for e in errors(project({"d.yaml": datadog}))] == [
        "ratioMetrics.good must be a Prometheus query (source prometheus, queryType promql; got 'datadog', 'promql')"]


SERVICE = """
apiVersion: openslo/v1
kind: Service
metadata: {name: search}
spec: {description: Search API}
"""


def test_what_oslo_refuses_is_refused(project):
    spaced = SERVICE.replace("name: search", "name: search api")
    assert errors(project({"s.yaml": spaced})) == [
        "s.yaml:3:18: error[IM010]: OpenSLO name 'search api' is not a DNS label"]
    unknown = SERVICE.replace("description: Search API", "markdown: Search API")
    assert errors(project({"s.yaml": unknown})) == [
        "s.yaml:4:8: error[IM010]: an OpenSLO Service spec has no field 'markdown'"]
    typo = AS_LIST.replace("    indicatorRef:", "    indicatorref:")
    (line,) = [d for d in project({"o.yaml": typo}).diags if d.code == "IM010"]
    assert line.hint == "did you mean 'indicatorRef'?"
    no_window = AS_LIST.replace("    timeWindow: [{duration: 28d, isRolling: true}]\n", "")
    assert [e.split(": ", 2)[2] for e in errors(project({"o.yaml": no_window}))] == [
        "an OpenSLO v1 SLO needs 'timeWindow', a list of one window"]


def test_v2alpha_is_refused_naming_what_obs_reads(project):
    result = project({"v2.yaml": SERVICE.replace("openslo/v1", "openslo.com/v2alpha")})
    (d,) = [d for d in result.diags if d.code == "YM006"]
    assert "obs reads OpenSLO openslo/v1 and openslo/v1alpha" in d.hint


def test_an_empty_service_says_it_is_empty(project):
    sloth = "version: prometheus/v1\nservice: \"\"\nslos: []\n"
    assert "s.yaml:2:10: error[IM001]: a Sloth spec.service must not be empty" in errors(project({"s.yaml": sloth}))
