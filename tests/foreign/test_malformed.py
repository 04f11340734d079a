"""Every malformed foreign input gives exactly one clear line at the place to edit."""

from __future__ import annotations

import re

import pytest
from foreign_helpers import errors

SLOTH = """version: prometheus/v1
service: gw
slos:
  - name: avail
    objective: {objective}
    sli:
      events:
        error_query: {error}
        total_query: sum(rate(req_total[{{{{.window}}}}]))
    alerting:
      name: GwErrors
"""
GOOD_ERR = 'sum(rate(req_total{{code="500"}}[{{{{.window}}}}]))'


def sloth(objective="99.9", error=GOOD_ERR):
    return SLOTH.format(objective=objective, error=error)


OSLO = """apiVersion: openslo/v1
kind: SLO
metadata: {{name: avail}}
spec:
  service: search
  budgetingMethod: {method}
  timeWindow:
    - {window}
  indicator:
    metadata: {{name: ratio}}
    spec:
      ratioMetric:
        counter: true
        bad: {{metricSource: {{type: {source}, spec: {{query: 'req_total{{code="500"}}'}}}}}}
        total: {{metricSource: {{type: Prometheus, spec: {{query: req_total}}}}}}
  objectives:
    - {objective}
"""


def oslo(method="Occurrences", window="{duration: 28d, isRolling: true}", source="Prometheus",
         objective="target: 0.995"):
    return OSLO.format(method=method, window=window, source=source, objective=objective)

OSLO_POLICY = """  alertPolicies:
    - kind: AlertPolicy
      metadata: {name: fast}
      spec:
        conditions:
          - kind: AlertCondition
            metadata: {name: fast-burn}
            spec:
              severity: page
              condition: {kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h, alertAfter: 0m}
"""

ES = """name: oom
type: {type}
index: logs-*
{options}
alert: [post]
"""

CASES = {
    "sloth-missing-window": ({"s.yaml": sloth(error='sum(rate(req_total{code="500"}[5m]))')},
                             "s.yaml:8:22: error[IM002]: error_query does not use {{.window}}"),
    "sloth-objective-100": ({"s.yaml": sloth(objective="100")},
                            "s.yaml:5:16: error[IM001]: objective is a percentage between 0 and 100, exclusive "
                            "(got 100)"),
    "sloth-objective-a-ratio": ({"s.yaml": sloth(objective="0.999")},
                                "s.yaml:5:16: error[IM001]: objective 0.999 means 0.999% of events good; objectives "
                                "below 50 are refused as mistakes"),
    "sloth-typo": ({"s.yaml": sloth().replace("error_query", "eror_query")},
                   "s.yaml:8:9: error[IM001]: a Sloth SLI needs 'error_query'"),
    "sloth-plugin": ({"s.yaml": sloth().split("      events:")[0] + "      plugin: {id: sloth-common/availability}\n"},
                     "s.yaml:7:7: error[IM003]: Sloth SLI plugin 'sloth-common/availability' is Go code obs "
                     "cannot run"),
    "sloth-crd-kind": ({"s.yaml": "apiVersion: sloth.slok.dev/v1\nkind: ServiceLevel\nspec: {service: x}\n"},
                       "s.yaml:2:7: error[IM001]: sloth.slok.dev/v1 has no kind 'ServiceLevel'"),
    "openslo-target-above-1": ({"o.yaml": oslo(objective="target: 99.5")},
                               "o.yaml:17:15: error[IM010]: target is a ratio between 0 and 1, exclusive (got 99.5)"),
    "openslo-target-percent-a-ratio": ({"o.yaml": oslo(objective="targetPercent: 0.995")},
                                       "o.yaml:17:22: error[IM010]: targetPercent 0.995 is an objective of 0.995%; "
                                       "objectives below 50% are refused as mistakes"),
    "openslo-unknown-kind": ({"o.yaml": "apiVersion: openslo/v1\nkind: Slo\nmetadata: {name: x}\nspec: {}\n"},
                             "o.yaml:2:7: error[IM010]: OpenSLO has no kind 'Slo'"),
    "openslo-calendar": ({"o.yaml": oslo(window="{duration: 1M, calendar: {startTime: '2024-01-01 00:00:00', "
                                             "timeZone: UTC}}")},
                         "o.yaml:8:32: error[IM011]: obs SLOs have rolling windows; calendar-aligned windows are "
                         "not supported"),
    "openslo-month": ({"o.yaml": oslo(window="{duration: 1M, isRolling: true}")},
                      "o.yaml:8:18: error[IM011]: timeWindow duration '1M' is not a fixed length obs can roll over"),
    "openslo-timeslices": ({"o.yaml": oslo(method="Timeslices")},
                           "o.yaml:6:20: error[IM011]: budgetingMethod 'Timeslices' is not supported: obs budgets "
                           "by Occurrences (good/total events)"),
    "openslo-datadog": ({"o.yaml": oslo(source="Datadog")},
                        "o.yaml:14:36: error[IM011]: obs reads Prometheus metric sources only (got 'Datadog')"),
    "openslo-indicator-ref": ({"o.yaml": re.sub(r"  indicator:\n(    .*\n)+", "  indicatorRef: nope\n", oslo())},
                              "o.yaml:9:17: error[IM012]: indicatorRef 'nope' names no OpenSLO SLI"),
    "prometheus-groups-not-list": ({"r.yaml": "groups: {name: x}\n"},
                                   "r.yaml:1:9: error[IM020]: groups must be a list of rule groups"),
    "prometheus-rules-not-list": ({"r.yaml": "groups:\n  - name: x\n    rules: 3\n"},
                                  "r.yaml:3:12: error[IM020]: a rule group's 'rules' must be a list"),
    "prometheus-both-record-and-alert": ({"r.yaml": "groups:\n  - name: x\n    rules:\n"
                                                    "      - {record: a, alert: B, expr: up}\n"},
                                         "r.yaml:4:9: error[SC007]: spec.rules[0]: a rule has exactly one of 'record' "
                                         "and 'alert'"),
    "elastalert-frequency-without-num-events": ({"e.yaml": ES.format(type="frequency",
                                                                     options="timeframe: {minutes: 5}")},
                                                "e.yaml:2:7: error[IM030]: an ElastAlert frequency rule needs "
                                                "'num_events', a number"),
    "elastalert-bad-timeframe": ({"e.yaml": ES.format(type="flatline", options="threshold: 3\ntimeframe: 5m")},
                                 "e.yaml:2:7: error[IM030]: an ElastAlert flatline rule needs 'timeframe', a time "
                                 "such as {minutes: 5}"),
    "sloth-alert-labels-not-mapping": ({"s.yaml": sloth() + "      page_alert: {labels: 1}\n"},
                                       "s.yaml:12:28: error[IM001]: labels must map names to values"),
    "sloth-slo-labels-a-list": ({"s.yaml": sloth() + "    labels: [tier-1]\n"},
                                "s.yaml:12:13: error[IM001]: labels must map names to values"),
    "openslo-policy-ref-not-a-name": ({"o.yaml": oslo() + "  alertPolicies:\n    - alertPolicyRef: [fast]\n"},
                                      "o.yaml:19:23: error[IM012]: alertPolicyRef must be the name of an OpenSLO "
                                      "document"),
    "openslo-targets-not-list": ({"o.yaml": oslo() + OSLO_POLICY + "        notificationTargets: oncall\n"},
                                 "o.yaml:28:30: error[IM010]: notificationTargets must be a list"),
    "unknown-document": ({"u.yaml": "kind: Dashboard\nmetadata: {name: x}\n"},
                         "u.yaml:1:1: error[YM006]: u.yaml: this document is none of the formats obs reads"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_clear_line(project, case):
    files, expected = CASES[case]
    got = errors(project(files))
    assert len(got) == 1, got
    if expected is not None:
        assert got[0] == expected
