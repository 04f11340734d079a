"""Sloth specs read as obs Services and SLOs (docs/foreign.md, "Sloth")."""

from __future__ import annotations

from foreign_helpers import errors, findings

SPEC = """
version: "prometheus/v1"
service: "payments-gateway"
labels:
  owner: "payments"
  tier: "1"
slos:
  - name: "requests-availability"
    objective: 99.95
    description: "Gateway requests without 5xx."
    labels: {category: availability}
    sli:
      events:
        error_query: sum(rate(gateway_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(gateway_requests_total[{{ .window }}]))
    alerting:
      name: PaymentsGatewayHighErrorRate
      labels: {category: "availability"}
      annotations: {runbook: "https://wiki/runbooks/gateway"}
      page_alert:
        labels: {severity: critical}
      ticket_alert:
        disable: true
  - name: "requests-latency"
    objective: 99
    sli:
      events:
        error_query: |
          (
            sum(rate(http_duration_seconds_count{job="gw"}[{{.window}}]))
            -
            sum(rate(http_duration_seconds_bucket{le="0.4",job="gw"}[{{.window}}]))
          )
        total_query: sum(rate(http_duration_seconds_count{job="gw"}[{{.window}}]))
    alerting: {name: GatewaySlowRequests}
  - name: by-route
    objective: 99.5
    sli:
      events:
        error_query: sum by (route) (rate(req_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(req_total[{{.window}}])) by (route)
    alerting: {name: RouteErrors}
  - name: precomputed
    objective: 99.9
    sli:
      raw:
        error_ratio_query: avg_over_time(job:errors:ratio5m[{{.window}}])
    alerting: {page_alert: {disable: true}, ticket_alert: {disable: true}}
"""

CRD = """
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata: {name: gw, namespace: shop}
spec:
  service: "payments-gateway"
  labels: {owner: "payments", tier: "1"}
  slos:
    - name: "requests-availability"
      objective: 99.95
      description: "Gateway requests without 5xx."
      labels: {category: availability}
      sli:
        events:
          errorQuery: sum(rate(gateway_requests_total{code=~"5.."}[{{.window}}]))
          totalQuery: sum(rate(gateway_requests_total[{{ .window }}]))
      alerting:
        name: PaymentsGatewayHighErrorRate
        labels: {category: "availability"}
        annotations: {runbook: "https://wiki/runbooks/gateway"}
        pageAlert:
          labels: {severity: critical}
        ticketAlert:
          disable: true
"""


ONE_SLO = ("slos:\n  - {name: a, objective: 99, alerting: {name: A}, "
           "sli: {raw: {error_ratio_query: 'x[{{.window}}]'}}}\n")


def slos_of(result, service="payments-gateway"):
    return {s.name: s for s in result.catalog.slos if s.service == service}


def test_spec_becomes_a_service_with_obs_slos(project):
    result = project({"sloth.yaml": SPEC})
    assert errors(result) == [] and findings(result) == []
    svc = result.catalog.services["payments-gateway"]
    assert svc.team == "payments"  # from the owner label
    assert svc.labels["owner"] == "payments" and svc.labels["tier"] == "1"
    slos = slos_of(result)
    assert sorted(slos) == ["by-route", "precomputed", "requests-availability", "requests-latency"]
    avail = slos["requests-availability"]
    assert avail.window == "30d" and avail.objective == 99.95
    assert avail.spec.sli.ratio.errors == 'gateway_requests_total{code=~"5.."}'
    assert avail.spec.sli.ratio.total == "gateway_requests_total"
    assert avail.alert_name == "PaymentsGatewayHighErrorRate"
    assert avail.spec.alerting.page.labels == {"severity": "critical"}
    assert avail.spec.alerting.ticket.enabled is False
    assert avail.spec.alerting.annotations == {"runbook": "https://wiki/runbooks/gateway"}
    assert avail.labels["category"] == "availability"
    assert avail.origin.format == "sloth" and avail.origin.pos.line == 7


def test_query_shapes_ratio_or_raw(project):
    slos = slos_of(project({"sloth.yaml": SPEC}))
    latency = slos["requests-latency"].spec.sli
    assert latency.kind == "raw" and "{{" not in latency.raw.errorRatio
    assert latency.raw.errorRatio.count("[$window]") == 3
    route = slos["by-route"].spec.sli
    assert route.kind == "ratio" and route.ratio.groupBy == ["route"]
    assert slos["precomputed"].spec.sli.raw.errorRatio == "avg_over_time(job:errors:ratio5m[$window])"


def test_crd_reads_like_the_spec(project, tmp_path):
    from_crd = slos_of(project({"crd.yaml": CRD}))["requests-availability"]
    assert from_crd.spec.sli.ratio.errors == 'gateway_requests_total{code=~"5.."}'
    assert from_crd.spec.alerting.ticket.enabled is False
    assert from_crd.labels["owner"] == "payments"


def test_team_label_and_default_team(project):
    result = project({"a.yaml": 'version: prometheus/v1\nservice: Cart API\nlabels: {team: shop}\n' + ONE_SLO,
                      "b.yaml": 'version: prometheus/v1\nservice: search\n' + ONE_SLO})
    assert result.catalog.services["cart-api"].team == "shop"
    assert "team" in result.catalog.services["cart-api"].labels
    assert result.catalog.services["search"].team == "search"


def test_obs_service_of_the_same_name_wins_and_gets_the_slos(project):
    obs_svc = """
    apiVersion: obs/v1
    kind: Service
    metadata: {name: payments-gateway, team: platform}
    spec:
      slos:
        - name: own
          objective: 99
          sli: {ratio: {errors: 'x{code="500"}', total: x}}
    """
    result = project({"sloth.yaml": SPEC, "svc.yaml": obs_svc}, checks=True)
    assert errors(result) == []
    assert result.catalog.services["payments-gateway"].team == "platform"
    assert sorted(slos_of(result)) == ["by-route", "own", "precomputed", "requests-availability",
                                       "requests-latency"]


def test_slo_plugins_warn_that_they_do_not_run(project):
    spec = SPEC.replace('labels:\n  owner', 'slo_plugins:\n  chain: [{id: "sloth.dev/x/v1"}]\nlabels:\n  owner', 1)
    result = project({"sloth.yaml": spec})
    assert errors(result) == []
    assert findings(result) == ["sloth.yaml:3:1: warning[IM003]: Sloth SLO plugins are not run: obs generates "
                                "the rules itself"]
