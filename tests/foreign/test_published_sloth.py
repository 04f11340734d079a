"""Sloth specs as Sloth reads them (issue 15; each input was checked with `sloth validate` when
written): fields its lenient decoders ignore are warnings, and what it refuses — an enabled
alert without alerting.name, an empty label value, the same error and total query, a spec
without SLOs — obs refuses with the reason."""

from __future__ import annotations

from foreign_helpers import errors, findings, lint_exit

SPEC = """
version: prometheus/v1
service: orders
labels: {owner: orders}
slos:
  - name: placed
    objective: 99.5
    sli:
      events:
        error_query: sum(rate(orders_total{result="error"}[{{.window}}]))
        total_query: sum(rate(orders_total[{{.window}}]))
    alerting:
      name: OrdersFailing
      page_alert: {labels: {severity: critical}}
      ticket_alert: {disable: true}
"""

CRD = """
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata: {name: orders}
spec:
  service: orders
  slos:
    - name: placed
      objective: 99.5
      sli:
        raw:
          errorRatioQuery: sum(rate(orders_total{result="error"}[{{.window}}])) / sum(rate(orders_total[{{.window}}]))
      alerting:
        pageAlert: {labels: {severity: critical}}
        ticketAlert: {disable: true}
"""


def test_fields_sloth_ignores_are_warnings(project):
    camel = SPEC.replace("page_alert:", "pageAlert:").replace("      ticket_alert: {disable: true}\n",
                                                              "      ticket_alert: {disable: true}\n    owner: x\n")
    result = project({"s.yaml": camel}, checks=True)
    assert lint_exit(result) == 0, errors(result)
    assert findings(result) == [
        "s.yaml:13:7: warning[IM001]: Sloth alerting has no field 'pageAlert'; obs ignores it",
        "s.yaml:15:5: warning[IM001]: a Sloth SLO has no field 'owner'; obs ignores it"]
    (d,) = [d for d in result.diags if "pageAlert" in d.message]
    assert d.hint == "did you mean 'page_alert'?"
    (slo,) = result.catalog.slos
    assert slo.spec.alerting.page.enabled and slo.spec.alerting.page.labels == {}  # ignored, as Sloth does


def test_an_enabled_alert_needs_a_name_as_in_sloth(project):
    unnamed = CRD  # pageAlert enabled, no alerting.name
    assert errors(project({"crd.yaml": unnamed})) == [
        "crd.yaml:13:9: error[IM001]: Sloth needs alerting.name while pageAlert is enabled"]
    no_alerting = SPEC.split("    alerting:")[0]
    assert errors(project({"s.yaml": no_alerting})) == [
        "s.yaml:5:5: error[IM001]: Sloth needs alerting.name while page_alert and ticket_alert are enabled"]
    named = CRD.replace("      alerting:\n", "      alerting:\n        name: OrdersFailing\n")
    result = project({"crd.yaml": named}, checks=True)
    assert lint_exit(result) == 0, errors(result)
    both_off = SPEC.replace("      name: OrdersFailing\n", "").replace("page_alert: {labels: {severity: critical}}",
                                                                        "page_alert: {disable: true}")
    assert lint_exit(project({"s.yaml": both_off}, checks=True)) == 0


def test_what_sloth_refuses_is_refused(project):
    empty_label = SPEC.replace("{severity: critical}", "{severity: ''}")
    assert errors(project({"s.yaml": empty_label})) == ["s.yaml:13:39: error[IM001]: labels.severity is empty"]
    same = SPEC.replace('orders_total{result="error"}', "orders_total")
    assert errors(project({"s.yaml": same})) == [
        "s.yaml:10:22: error[IM001]: error_query and total_query are the same query"]
    none = "version: prometheus/v1\nservice: orders\nslos: []\n"
    assert errors(project({"s.yaml": none})) == ["s.yaml:3:7: error[IM001]: a Sloth spec needs at least one SLO in "
                                                 "'slos'"]
