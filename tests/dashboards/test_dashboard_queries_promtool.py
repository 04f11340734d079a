"""Real peer: dashboard queries evaluated by promtool, with the dashboard's variables filled in
as Grafana fills them (All is `.*`, one value is itself). The SLO dashboard's on the SLO rules
obs writes, the red dashboard's on Micrometer's series: each returns data, a route or pod
without errors gives 0 (not "No data"), and the burn panels show what the alerts fire on
without reading ALERTS."""

from __future__ import annotations

import json
import re
import subprocess

import yaml

from obs.dashboards.walk import fill_variables, metric_names, queries

HOURS = 4
LABELS = 'application="cart", cluster="eu-1", namespace="shop", pod="cart-1"'
#: 1% of cart's requests fail: burn rate 10 against availability's 99.9% (the 6x page pair and the
#: ticket pairs fire, the 14.4x one does not); by route, /cart fails 2% (burn 2 against by-route's
#: 99%: nothing fires) and /health never fails (no 5xx series at all)
SERIES = [
    {"series": f'http_server_requests_seconds_count{{{LABELS}, uri="/cart", status="200"}}',
     "values": f"0+98x{HOURS * 60}"},
    {"series": f'http_server_requests_seconds_count{{{LABELS}, uri="/cart", status="500"}}',
     "values": f"0+2x{HOURS * 60}"},
    {"series": f'http_server_requests_seconds_count{{{LABELS}, uri="/health", status="200"}}',
     "values": f"0+100x{HOURS * 60}"},
]
ALL = {"cluster": ".*", "namespace": ".*", "pod": ".*", "uri": ".*"}


def _artifact(build, path: str) -> bytes:
    return next(a.content for a in build.artifacts if a.path == path)


def substitute(expr: str, values: dict[str, str]) -> str:
    """The query Grafana sends: its built-ins sampled (walk.fill_variables), then each `$name`."""
    text, _ = fill_variables(expr)
    for name in sorted(values, key=len, reverse=True):
        text = text.replace(f"${name}", values[name])
    assert "$" not in text, text
    return text


def _exprs(build, uid: str, values: dict[str, str]) -> list[tuple[str, str]]:
    """(panel title, query) of a dashboard, variables substituted."""
    data = json.loads(_artifact(build, f"grafana/{uid}.json"))
    return [(p["title"], substitute(t["expr"], values)) for p, t in queries(data)]


def _promtool(promtool, tmp_path, rules: bytes, series: list, tests: list) -> None:
    (tmp_path / "rules.yaml").write_bytes(rules)
    spec = {"rule_files": ["rules.yaml"], "evaluation_interval": "1m",
            "tests": [{"interval": "1m", "input_series": series, "promql_expr_test": tests}]}
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    run = subprocess.run([promtool, "test", "rules", "test.yaml"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]


def _has_data(expr: str, at: str) -> dict:
    return {"expr": f"(count({expr}) > 0) * 0 + 1", "eval_time": at, "exp_samples": [{"labels": "{}", "value": 1}]}


def test_every_slo_dashboard_query_returns_data_on_the_generated_rules(demo_build, promtool, tmp_path):
    at = f"{HOURS}h"
    queries_ = _exprs(demo_build, "obs-cart-slo", {**ALL, "uri": "/cart"})
    assert not any("ALERTS" in metric_names(e) for _, e in queries_)  # KubeSphere's ruler writes none here
    quiet = [e for t, e in queries_ if t == "Burning now" and 'slo="by-route"' in e]  # burn 2 < 6: rightly empty
    absent = [e for _, e in queries_ if e.startswith("absent(")]  # the SLI is there: rightly empty
    assert len(quiet) == 1 and len(absent) == 2
    tests = [_has_data(e, at) for e in sorted({e for _, e in queries_} - set(quiet) - set(absent))]
    tests += [{"expr": e, "eval_time": at, "exp_samples": []} for e in quiet + absent]

    burn = 'slo:sli_error:ratio_rate1h{service="cart", slo="availability", cluster=~".*"} / 0.001'
    assert any(e == burn for _, e in queries_)
    avail = '{service="cart", slo="availability", team="shopfront"'
    tests.append({"expr": f"round({burn})", "eval_time": at, "exp_samples": [{"labels": avail + "}", "value": 10}]})
    # what the alerts fire on, from the recordings: the page tier's 6x pair and the ticket tier
    burning = [e for t, e in queries_ if t == "Burning now" and 'slo="availability"' in e]
    assert len(burning) == 2
    for tier, expr in zip(("page", "ticket"), burning):
        tests.append({"expr": f"round({expr})", "eval_time": at,
                      "exp_samples": [{"labels": avail + f', tier="{tier}"}}', "value": 10}]})
    counts = [e for t, e in queries_ if t == "Burn alerts firing" and e.startswith("count(")]
    for e in counts:  # page and ticket of availability fire once each; by-route's page does not: 0, not empty
        tests.append({"expr": e, "eval_time": at,
                      "exp_samples": [{"labels": "{}", "value": 0 if 'slo="by-route"' in e else 1}]})
    # four hours after deployment the period holds four hours: the stat says so, in tens of minutes
    covered = next(e for t, e in queries_ if t == "Window covered" and 'slo="availability"' in e)
    tests.append({"expr": f"round({covered} * 30 * 24 * 6)", "eval_time": at,
                  "exp_samples": [{"labels": avail + "}", "value": HOURS * 6}]})
    # …which is what the SLO rules' own alerts fire where Prometheus evaluates them
    firing = 'count by (severity) (ALERTS{service="cart", alertname="ErrorBudgetBurn", alertstate="firing"})'
    tests.append({"expr": firing, "eval_time": at, "exp_samples": [{"labels": '{severity="critical"}', "value": 1},
                                                                   {"labels": '{severity="warning"}', "value": 1}]})
    _promtool(promtool, tmp_path, _artifact(demo_build, "prometheus/cart.rules.yaml"), SERIES, tests)


def test_slo_route_variable_shows_one_route_and_zero_for_a_route_without_errors(demo_build, promtool, tmp_path):
    """One SLO dashboard serves every route: `$uri` picks one; /health has no 5xx series at all
    and its error ratio is 0 in every window, its budget whole."""
    at = f"{HOURS}h"
    health = [(t, e) for t, e in _exprs(demo_build, "obs-cart-slo", {**ALL, "uri": "/health"})
              if 'slo="by-route"' in e]
    ratios = [e for t, e in health if t == "Error ratio over the windows"]
    assert len(ratios) == 5
    route = '{service="cart", slo="by-route", team="shopfront", uri="/health"}'
    tests = [{"expr": f"{e} + 0", "eval_time": at, "exp_samples": [{"labels": route, "value": 0}]} for e in ratios]
    remaining = next(e for t, e in health if t == "Error budget remaining")
    tests.append({"expr": f"{remaining} + 0", "eval_time": at, "exp_samples": [{"labels": route, "value": 1}]})
    cart = next(e for t, e in _exprs(demo_build, "obs-cart-slo", {**ALL, "uri": "/cart"})
                if t == "Error ratio over the windows" and "ratio_rate1h24m" in e and 'slo="by-route"' in e)
    tests.append({"expr": f"round({cart} * 100)", "eval_time": at,
                  "exp_samples": [{"labels": route.replace("/health", "/cart"), "value": 2}]})
    _promtool(promtool, tmp_path, _artifact(demo_build, "prometheus/cart.rules.yaml"), SERIES, tests)


def _red_series() -> list[dict]:
    """Micrometer's series as Spring Boot exposes them: pod cart-1 fails 1%, pod cart-2 has never
    failed (no 5xx series), and a cart pod in another namespace."""
    series = []
    for pod, namespace, ok, failed in (("cart-1", "shop", 99, 1), ("cart-2", "shop", 100, 0),
                                       ("cart-9", "staging", 100, 0)):
        base = f'application="cart", cluster="eu-1", namespace="{namespace}", pod="{pod}", uri="/cart", method="GET"'
        series.append({"series": f'http_server_requests_seconds_count{{{base}, status="200", outcome="SUCCESS"}}',
                       "values": f"0+{ok}x60"})
        if failed:
            series.append({"series": f'http_server_requests_seconds_count{{{base}, status="500", '
                                     f'outcome="SERVER_ERROR"}}', "values": f"0+{failed}x60"})
        for le, per_minute in (("0.1", 50), ("0.5", 90), ("+Inf", 100)):
            series.append({"series": f'http_server_requests_seconds_bucket{{{base}, le="{le}"}}',
                           "values": f"0+{per_minute}x60"})
    return series


def test_red_queries_return_data_with_the_variables_filled_in(demo_build, promtool, tmp_path):
    """Every query returns data for All and for one cluster/namespace/pod; the error ratio is the
    chosen pod's, and 0 for a pod that never failed."""
    one = {"cluster": "eu-1", "namespace": "shop", "pod": "cart-1"}
    tests = []
    for values in (ALL, one):
        tests += [_has_data(e, "1h") for e in sorted({e for _, e in _exprs(demo_build, "obs-cart-red", values)})]

    def ratio(values):
        return next(e for t, e in _exprs(demo_build, "obs-cart-red", values) if t == "Error ratio")

    tests.append({"expr": f"round({ratio(one)} * 1000)", "eval_time": "1h",
                  "exp_samples": [{"labels": "{}", "value": 10}]})
    tests.append({"expr": f"round({ratio(ALL)} * 10000)", "eval_time": "1h",  # 1 of 300 requests a minute
                  "exp_samples": [{"labels": "{}", "value": 33}]})
    never = {**one, "pod": "cart-2"}
    tests.append({"expr": ratio(never), "eval_time": "1h", "exp_samples": [{"labels": "{}", "value": 0}]})
    by_route = next(e for t, e in _exprs(demo_build, "obs-cart-red", never) if t == "Errors / s by route (top 10)")
    tests.append({"expr": by_route, "eval_time": "1h", "exp_samples": [{"labels": '{uri="/cart"}', "value": 0}]})
    nothing = {**one, "pod": "cart-404"}  # no requests at all: no data, never a made-up 0
    tests.append({"expr": ratio(nothing), "eval_time": "1h", "exp_samples": []})
    (tmp_path / "empty.rules.yaml").write_text("groups: []\n")
    _promtool(promtool, tmp_path, b"groups: []\n", _red_series(), tests)


def test_pod_variable_depends_on_namespace(demo_build, promtool, tmp_path):
    """The variables chain: `pod` lists the pods of the chosen namespace only."""
    data = json.loads(_artifact(demo_build, "grafana/obs-cart-red.json"))
    variables = {v["name"]: v for v in data["templating"]["list"]}
    m = re.fullmatch(r"label_values\((.+), (\w+)\)", variables["pod"]["query"])
    assert m and m.group(2) == "pod" and 'namespace=~"$namespace"' in m.group(1)
    selector = substitute(m.group(1), {"cluster": ".*", "namespace": "shop"})
    staging = substitute(m.group(1), {"cluster": ".*", "namespace": "staging"})
    tests = [{"expr": f"count by (pod) ({selector})", "eval_time": "1h",
              "exp_samples": [{"labels": '{pod="cart-1"}', "value": 2}, {"labels": '{pod="cart-2"}', "value": 1}]},
             {"expr": f"count by (pod) ({staging})", "eval_time": "1h",
              "exp_samples": [{"labels": '{pod="cart-9"}', "value": 1}]}]
    _promtool(promtool, tmp_path, b"groups: []\n", _red_series(), tests)
