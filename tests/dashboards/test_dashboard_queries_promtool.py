"""Real peer: dashboard queries evaluated by promtool. The SLO dashboard's on the SLO rules obs
writes, the red dashboard's on Micrometer's series: each returns data, and the burn rate,
error ratio and firing alerts are what the data calls for."""

from __future__ import annotations

import json
import subprocess

import yaml

from obs.dashboards.walk import fill_variables, queries

HOURS = 4
#: 1% of cart's requests fail: burn rate 10 against availability's 99.9% (the 6x page pair and
#: the ticket pairs fire, the 14.4x one does not) and exactly 1 against by-route's 99% (nothing fires)
SERIES = [
    {"series": 'http_server_requests_seconds_count{application="cart", status="200"}', "values": f"0+99x{HOURS * 60}"},
    {"series": 'http_server_requests_seconds_count{application="cart", status="500"}', "values": f"0+1x{HOURS * 60}"},
]


def _artifact(build, path: str) -> bytes:
    return next(a.content for a in build.artifacts if a.path == path)


def test_every_slo_dashboard_query_returns_data_on_the_generated_rules(demo_build, promtool, tmp_path):
    (tmp_path / "cart.rules.yaml").write_bytes(_artifact(demo_build, "prometheus/cart.rules.yaml"))
    dashboard = json.loads(_artifact(demo_build, "grafana/obs-cart-slo.json"))
    exprs = sorted({fill_variables(t["expr"])[0] for _, t in queries(dashboard)})
    quiet = 'ALERTS{alertname=~"CartRouteBudgetBurn|SLOMetricAbsent", service="cart", slo="by-route", ' \
            'alertstate="firing"}'
    assert quiet in exprs
    exprs.remove(quiet)  # the firing-alerts table of an SLO that is not burning: rightly empty
    at = f"{HOURS}h"
    tests = [{"expr": f"(count({e}) > 0) * 0 + 1", "eval_time": at, "exp_samples": [{"labels": "{}", "value": 1}]}
             for e in exprs]
    burn = 'slo:sli_error:ratio_rate1h{service="cart", slo="availability"} / 0.001'
    assert any(e == burn for e in exprs)
    tests.append({"expr": f"round({burn})", "eval_time": at,
                  "exp_samples": [{"labels": '{service="cart", slo="availability", team="shopfront"}', "value": 10}]})
    firing = ('count by (severity) (ALERTS{alertname=~"ErrorBudgetBurn|SLOMetricAbsent", service="cart", '
              'slo="availability", alertstate="firing"})')
    tests.append({"expr": firing, "eval_time": at,
                  "exp_samples": [{"labels": '{severity="critical"}', "value": 1},
                                  {"labels": '{severity="warning"}', "value": 1}]})
    spec = {"rule_files": ["cart.rules.yaml"], "evaluation_interval": "1m",
            "tests": [{"interval": "1m", "input_series": SERIES, "promql_expr_test": tests}]}
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    run = subprocess.run([promtool, "test", "rules", "test.yaml"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]


def test_red_queries_return_data_on_micrometer_series(demo_build, promtool, tmp_path):
    """The red template's queries on Micrometer's series as Spring Boot exposes them."""
    base = 'application="cart", uri="/cart", method="GET"'
    series = [{"series": f'http_server_requests_seconds_count{{{base}, status="200", outcome="SUCCESS"}}',
               "values": "0+99x60"},
              {"series": f'http_server_requests_seconds_count{{{base}, status="500", outcome="SERVER_ERROR"}}',
               "values": "0+1x60"}]
    for le, per_minute in (("0.1", 50), ("0.5", 90), ("+Inf", 100)):
        series.append({"series": f'http_server_requests_seconds_bucket{{{base}, le="{le}"}}',
                       "values": f"0+{per_minute}x60"})
    dashboard = json.loads(_artifact(demo_build, "grafana/obs-cart-red.json"))
    exprs = sorted({fill_variables(t["expr"])[0] for _, t in queries(dashboard)})
    tests = [{"expr": f"(count({e}) > 0) * 0 + 1", "eval_time": "1h", "exp_samples": [{"labels": "{}", "value": 1}]}
             for e in exprs]
    ratio = next(e for e in exprs if e.startswith("sum(rate(http_server_requests_seconds_count{") and " / " in e)
    tests.append({"expr": f"round({ratio} * 1000)", "eval_time": "1h", "exp_samples": [{"labels": "{}", "value": 10}]})
    (tmp_path / "empty.rules.yaml").write_text("groups: []\n")
    spec = {"rule_files": ["empty.rules.yaml"], "evaluation_interval": "1m",
            "tests": [{"interval": "1m", "input_series": series, "promql_expr_test": tests}]}
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    run = subprocess.run([promtool, "test", "rules", "test.yaml"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
