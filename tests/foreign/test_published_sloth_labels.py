"""Migration aid (issue 15): `defaults.slo.slothLabels: true` keeps Sloth's series labels and the
metadata series Sloth's dashboards read, so their queries find obs's series (on promtool)."""

from __future__ import annotations

import subprocess

from foreign_helpers import PROJECT, errors, lint_exit

SPEC = """
version: prometheus/v1
service: checkout
slos:
  - name: requests
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{job="checkout"}[{{.window}}]))
    alerting: {name: CheckoutErrors}
"""

# what a dashboard built for Sloth asks (its variables are sloth_service and sloth_slo)
DASHBOARD_TEST = """
rule_files: [rules.yaml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'http_requests_total{job="checkout", code="200"}'
        values: '0+99x60'
      - series: 'http_requests_total{job="checkout", code="500"}'
        values: '0+1x60'
    promql_expr_test:
      - expr: count(slo:sli_error:ratio_rate5m{sloth_service="checkout", sloth_slo="requests"} > 0.0099 < 0.0101)
        eval_time: 30m
        exp_samples: [{labels: "{}", value: 1}]
      - expr: count(slo:current_burn_rate:ratio{sloth_id="checkout-requests"} > 9.9 < 10.1)
        eval_time: 30m
        exp_samples: [{labels: "{}", value: 1}]
      - expr: slo:objective:ratio{sloth_service="checkout", sloth_slo="requests"}
        eval_time: 30m
        exp_samples: [{labels: '{__name__="slo:objective:ratio", service="checkout", slo="requests", team="checkout",
                                 sloth_id="checkout-requests", sloth_service="checkout", sloth_slo="requests"}',
                       value: 0.999}]
      - expr: count(sloth_slo_info{sloth_service="checkout", sloth_slo="requests", sloth_objective="99.9"})
        eval_time: 30m
        exp_samples: [{labels: "{}", value: 1}]
      - expr: slo:time_period:days{sloth_id="checkout-requests"} - 30
        eval_time: 30m
        exp_samples: [{labels: '{service="checkout", slo="requests", team="checkout", sloth_id="checkout-requests",
                                 sloth_service="checkout", sloth_slo="requests"}', value: 0}]
"""


def compiled(project, sloth_labels: bool) -> bytes:
    flag = "true" if sloth_labels else "false"
    obs_yaml = PROJECT.replace("  targets: [prometheus]\n",
                               f"  targets: [prometheus]\n  defaults:\n    slo: {{slothLabels: {flag}}}\n")
    result = project({"obs.yaml": obs_yaml, "sloth.yaml": SPEC}, checks=True)
    assert lint_exit(result) == 0, errors(result)
    return next(a for a in result.artifacts if a.path == "prometheus/checkout.rules.yaml").content


def run_dashboard_queries(promtool, tmp_path, rules: bytes) -> subprocess.CompletedProcess:
    (tmp_path / "rules.yaml").write_bytes(rules)
    (tmp_path / "dashboard_test.yaml").write_text(DASHBOARD_TEST)
    return subprocess.run([promtool, "test", "rules", "dashboard_test.yaml"], cwd=tmp_path, capture_output=True,
                          text=True)


def test_sloth_dashboard_queries_find_the_series(project, promtool, tmp_path):
    done = run_dashboard_queries(promtool, tmp_path, compiled(project, True))
    assert done.returncode == 0, done.stdout + done.stderr
    check = subprocess.run([promtool, "check", "rules", "rules.yaml"], cwd=tmp_path, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_without_the_option_the_series_carry_only_obs_labels(project, promtool, tmp_path):
    rules = compiled(project, False)
    assert b"sloth_" not in rules
    assert run_dashboard_queries(promtool, tmp_path, rules).returncode == 1
