"""The built-in templates: golden files, and the rules every generated dashboard keeps —
current panel types only, {type, uid} datasources, PromQL that parses and reads only the
series the template documents or the recording rules obs generates, a sane grid."""

from __future__ import annotations

import json
import os
from pathlib import Path

import promql_parser
import pytest
import yaml

from obs.checks.promql import parse_error
from obs.dashboards import dashboard_uid, templates
from obs.dashboards.context import context
from obs.dashboards.walk import CURRENT, fill_variables, metric_names, panels, queries, variables_used

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("OBS_UPDATE_GOLDEN") == "1"

#: every template, on the demo service that uses it
CASES = [("cart", "red"), ("cart", "jvm"), ("cart", "slo"), ("ranker", "red"), ("ranker", "python"),
         ("gateway", "red"), ("data", "redis"), ("data", "rabbitmq"), ("data", "mysql"), ("data", "elasticsearch")]


def _dashboard(build, service: str, template: str) -> dict:
    return json.loads(next(a.content for a in build.artifacts
                           if a.path == f"grafana/{dashboard_uid(service, template)}.json"))


def test_cases_cover_every_template():
    assert {t for _, t in CASES} == set(templates.names())


def test_demo_compiles_without_findings(demo_build):
    assert [d.render() for d in demo_build.diags] == []


@pytest.mark.parametrize("service,template", CASES)
def test_golden(demo_build, service, template):
    uid = dashboard_uid(service, template)
    text = next(a.content for a in demo_build.artifacts if a.path == f"grafana/{uid}.json").decode()
    golden = GOLDEN / f"{uid}.json"
    if UPDATE:
        golden.write_text(text)
    assert golden.is_file(), f"no golden file {golden.name}: run OBS_UPDATE_GOLDEN=1 pytest tests/dashboards"
    assert text == golden.read_text(), f"{uid} differs from its golden file (OBS_UPDATE_GOLDEN=1 to accept)"


@pytest.mark.parametrize("service,template", CASES)
def test_only_current_panels_and_uid_datasources(demo_build, service, template):
    data = _dashboard(demo_build, service, template)
    assert data["uid"] == dashboard_uid(service, template)
    kinds = {p["type"] for p in panels(data)}
    assert kinds <= CURRENT, f"panel types outside the current set: {kinds - CURRENT}"
    variable = {"type": "prometheus", "uid": "${datasource}"}
    found = list(queries(data))
    assert found
    for panel, target in found:
        assert panel["datasource"] == variable and target["datasource"] == variable
    [picker] = [v for v in data["templating"]["list"] if v["type"] == "datasource"]
    assert picker["name"] == "datasource" and picker["query"] == "prometheus"
    assert picker["current"]["value"] == "prometheus"  # defaults.grafana.datasource: what the dashboard opens with
    assert all(v["datasource"] == variable for v in data["templating"]["list"] if v["type"] == "query")


@pytest.mark.parametrize("service,template", CASES)
def test_promql_parses_and_reads_only_documented_series(demo_build, service, template):
    data = _dashboard(demo_build, service, template)
    ctx = context(demo_build.catalog, demo_build.catalog.services[service], template)
    documented = templates.series(template, ctx)
    exprs = [t["expr"] for _, t in queries(data)]
    assert len(exprs) >= 5
    for expr in exprs:
        filled, certain = fill_variables(expr)
        assert certain, expr
        assert parse_error(filled) is None, f"{expr}: {parse_error(filled)}"
        assert metric_names(filled) <= documented, f"{expr} reads {metric_names(filled) - documented}"


def test_slo_dashboard_reads_only_recorded_rules(demo_build):
    """Every slo:* name the SLO dashboard reads is a recording rule the prometheus target writes."""
    recorded = set()
    for a in demo_build.artifacts:
        if a.path.startswith("prometheus/"):
            for group in yaml.safe_load(a.content)["groups"]:
                recorded |= {r["record"] for r in group["rules"] if "record" in r}
    read = set()
    for _, target in queries(_dashboard(demo_build, "cart", "slo")):
        read |= {n for n in metric_names(fill_variables(target["expr"])[0]) if n.startswith("slo:")}
    assert read, "the SLO dashboard reads no slo:* series"
    assert read <= recorded, f"read but not recorded: {sorted(read - recorded)}"


@pytest.mark.parametrize("service,template", CASES)
def test_grid_has_no_overlaps_and_unique_ids(demo_build, service, template):
    data = _dashboard(demo_build, service, template)
    taken: set[tuple[int, int]] = set()
    ids = [p["id"] for p in panels(data)]
    assert len(ids) == len(set(ids)) and None not in ids
    for p in panels(data):
        g = p["gridPos"]
        assert 0 <= g["x"] and g["x"] + g["w"] <= 24
        cells = {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}
        assert not cells & taken, f"panel {p['title']!r} overlaps another"
        taken |= cells


def test_tags_and_links_tie_a_service_together(demo_build):
    data = _dashboard(demo_build, "cart", "red")
    assert data["tags"] == ["obs", "service:cart", "team:shopfront", "red"]
    link = data["links"][0]
    assert link["type"] == "dashboards" and link["tags"] == ["obs", "service:cart"]
    assert {"type": "link", "url": "https://wiki.example.com/runbooks/cart"}.items() <= data["links"][1].items()


def test_selectors_come_from_packs_then_conventions(demo_build):
    exprs = lambda s, t: " ".join(t["expr"] for _, t in queries(_dashboard(demo_build, s, t)))  # noqa: E731
    pods = 'cluster=~"$cluster", namespace=~"$namespace", pod=~"$pod"'
    assert f'jvm_memory_used_bytes{{application="cart", namespace="shop", area="heap", {pods}}}' in exprs("cart", "jvm")
    assert f'http_server_requests_seconds_count{{application="cart", {pods}}}' in exprs("cart", "red")
    assert f'http_requests_total{{service="ranker", status=~"5..", {pods}}}' in exprs("ranker", "red")
    assert f'http_requests_total{{service="gateway", code=~"5..", {pods}}}' in exprs("gateway", "red")
    assert 'redis_up{instance=~"redis-.*", cluster=~"$cluster"}' in exprs("data", "redis")
    assert 'mysql_up{namespace="middleware", cluster=~"$cluster"}' in exprs("data", "mysql")
    assert f'process_open_fds{{service="ranker", {pods}}}' in exprs("ranker", "python")


def test_red_convention_and_datasource_are_configurable(demo):
    from obs.pipeline import build

    text = (demo / "obs.yaml").read_text()
    text = text.replace("kubernetes: {namespace: monitoring}",
                        "kubernetes: {namespace: monitoring}\n    grafana:\n      datasource: thanos\n"
                        "      red:\n        java: {requests: http_requests_total, status: code, "
                        "selector: 'app=\"{service}\", namespace=\"{namespace}\"'}\n"
                        "      selectors: {mysql: 'job=\"mysql\"'}")
    (demo / "obs.yaml").write_text(text)
    b = build(demo, targets=["grafana"])
    assert [d.render() for d in b.diags] == []
    red = _dashboard(b, "cart", "red")
    exprs = " ".join(t["expr"] for _, t in queries(red))
    assert ('http_requests_total{app="cart", namespace="shop", code=~"5..", cluster=~"$cluster", '
            'namespace=~"$namespace", pod=~"$pod"}') in exprs
    assert "http_server_requests_seconds_bucket{" in exprs  # the fields not overridden keep the convention
    assert {json.dumps(t["datasource"]) for _, t in queries(red)} == {'{"type": "prometheus", "uid": "${datasource}"}'}
    assert red["templating"]["list"][0]["current"]["value"] == "thanos"
    mysql = " ".join(t["expr"] for _, t in queries(_dashboard(b, "data", "mysql")))
    assert 'mysql_up{job="mysql", cluster=~"$cluster"}' in mysql


def test_pack_thresholds_colour_the_panels(demo):
    """Panels turn red where the service's rule pack alerts fire: its `with`, else the pack default."""
    from obs.pipeline import build

    path = demo / "services" / "data.yaml"
    path.write_text(path.read_text() + "    - pack: mysql\n      with: {replicationLagSeconds: 45}\n")
    b = build(demo, targets=["grafana"])

    def steps(template, title):
        panel = next(p for p in panels(_dashboard(b, "data", template)) if p["title"] == title)
        return [s["value"] for s in panel["fieldConfig"]["defaults"]["thresholds"]["steps"]]

    assert steps("mysql", "Replication lag") == [None, 45]
    assert steps("redis", "Memory used of maxmemory") == [None, 0.9]
    assert steps("rabbitmq", "Messages ready") == [None, 1000]


def test_selectors_written_with_braces_are_accepted(demo):
    from obs.pipeline import build

    path = demo / "services" / "data.yaml"
    path.write_text(path.read_text().replace("""with: {selector: 'instance=~"redis-.*"'}""",
                                             """with: {selector: '{instance=~"redis-.*"}'}"""))
    b = build(demo, targets=["grafana"])
    redis = " ".join(t["expr"] for _, t in queries(_dashboard(b, "data", "redis")))
    assert 'redis_up{instance=~"redis-.*", cluster=~"$cluster"}' in redis


WORKLOAD = {"red", "jvm", "python"}  # the templates of a service's own pods


def _selectors(expr: str):
    found = []
    promql_parser.walk(promql_parser.parse(fill_variables(expr)[0]),
                       lambda n: found.append(n) if isinstance(n, promql_parser.VectorSelector) else None)
    return found


@pytest.mark.parametrize("service,template", CASES)
def test_variables_are_grafana_variables_and_every_selector_uses_them(demo_build, service, template):
    """Valid variable definitions (the shapes Grafana 11 saves), each using only variables defined
    before it, and every series selector of every query filtered by cluster (and namespace and pod
    for a workload's templates)."""
    data = _dashboard(demo_build, service, template)
    listed = data["templating"]["list"]
    names = [v["name"] for v in listed]
    assert len(names) == len(set(names)) and names[:2] == ["datasource", "cluster"]
    for i, v in enumerate(listed):
        assert v["type"] in ("datasource", "query") and v["name"].isidentifier()
        assert {"current", "hide", "includeAll", "label", "multi", "name", "options", "query", "refresh"} <= set(v)
        if v["type"] == "query":
            assert v["definition"] == v["query"] and v["query"].startswith("label_values(")
            assert v["refresh"] in (1, 2) and v.get("allValue", ".*") == ".*"
            assert v["includeAll"] == (v["current"] != {})  # All preselected, or Grafana's first value
            assert variables_used(v["query"]) <= set(names[:i]), f"{v['name']} reads a later variable"
            assert parse_error(fill_variables(v["query"][len("label_values("):].rsplit(",", 1)[0])[0]) is None
    expected = {'cluster=~"$cluster"'} | ({'namespace=~"$namespace"', 'pod=~"$pod"'} if template in WORKLOAD else set())
    assert ("namespace" in names) == (template in WORKLOAD)
    for _, target in queries(data):
        assert variables_used(target["expr"]) <= set(names)
        for selector in _selectors(target["expr"]):
            matchers = {f'{m.name}=~"{m.value}"' for m in selector.matchers.matchers
                        if m.op == promql_parser.MatchOp.Re}
            assert expected <= matchers, f"{target['expr']}: {selector} lacks {expected - matchers}"


def test_a_grouped_slo_gets_a_variable_over_its_group_label(demo_build):
    data = _dashboard(demo_build, "cart", "slo")
    uri = next(v for v in data["templating"]["list"] if v["name"] == "uri")
    assert uri["query"] == ('label_values(slo:sli_error:ratio_rate4m{service="cart", slo="by-route", '
                            'cluster=~"$cluster"}, uri)')
    assert uri["multi"] and not uri["includeAll"]  # one route at a time, not one line per route by default
    for _, target in queries(data):
        expr = target["expr"]
        grouped = 'slo="by-route"' in expr and "slo:objective:ratio" not in expr  # the objective has no uri
        assert ('uri=~"$uri"' in expr) == grouped, expr


def test_cluster_label_is_configurable_or_off(demo):
    from obs.pipeline import build

    text = (demo / "obs.yaml").read_text()
    (demo / "obs.yaml").write_text(text.replace("kubernetes: {namespace: monitoring}",
                                                "kubernetes: {namespace: monitoring}\n    grafana: "
                                                "{clusterLabel: k8s_cluster}"))
    red = _dashboard(build(demo, targets=["grafana"]), "cart", "red")
    cluster = next(v for v in red["templating"]["list"] if v["name"] == "cluster")
    assert cluster["query"] == "label_values(up, k8s_cluster)"
    assert all('k8s_cluster=~"$cluster"' in t["expr"] for _, t in queries(red))
    (demo / "obs.yaml").write_text(text.replace("kubernetes: {namespace: monitoring}",
                                                "kubernetes: {namespace: monitoring}\n    grafana: "
                                                "{clusterLabel: null}"))
    b = build(demo, targets=["grafana"])
    assert [d.render() for d in b.diags] == []
    slo = _dashboard(b, "cart", "slo")
    assert [v["name"] for v in slo["templating"]["list"]] == ["datasource", "uri"]
    assert not any("cluster" in t["expr"] for _, t in queries(slo))


LOG_ALERTS = """  logAlerts:
    - name: payment-exceptions
      query: 'kubernetes.container_name:"cart" AND log:"PaymentException"'
      when: count > 20 in 5m
      severity: critical
      summary: Payment exceptions in cart
    - name: error-spike
      query: 'kubernetes.container_name:"cart" AND log:ERROR'
      when: spike up x3 in 10m
      severity: warning
      summary: Cart error logs tripled
"""


def test_logs_of_the_service_on_the_elasticsearch_datasource_variable(demo):
    """A service with log alerts: its red dashboard shows their logs from `${logs}`, a second
    datasource variable over Elasticsearch; its Prometheus panels stay on `${datasource}`."""
    from obs.pipeline import build

    (demo / "services" / "cart.yaml").write_text((demo / "services" / "cart.yaml").read_text() + LOG_ALERTS)
    b = build(demo, targets=["grafana"])
    assert [d.render() for d in b.diags if d.code.startswith("DB")] == []
    red = _dashboard(b, "cart", "red")
    logs = next(v for v in red["templating"]["list"] if v["name"] == "logs")
    assert (logs["type"], logs["query"], logs["current"]["value"]) == ("datasource", "elasticsearch", "elasticsearch")
    es = {"type": "elasticsearch", "uid": "${logs}"}
    row = [p for p in panels(red) if p.get("datasource") == es]
    assert [p["type"] for p in row] == ["timeseries", "timeseries", "logs"]
    assert all(t["datasource"] == es for p in row for t in p["targets"])
    count = row[0]["targets"][0]
    assert count["query"] == 'kubernetes.container_name:"cart" AND log:"PaymentException"'
    assert count["bucketAggs"][0]["settings"]["interval"] == "5m"  # the alert's window: bars compare to 20
    assert [s["value"] for s in row[0]["fieldConfig"]["defaults"]["thresholds"]["steps"]] == [None, 20]
    assert row[2]["targets"][0]["query"] == ('(kubernetes.container_name:"cart" AND log:"PaymentException") OR '
                                             '(kubernetes.container_name:"cart" AND log:ERROR)')
    assert all(p["datasource"]["uid"] == "${datasource}" for p in panels(red)
               if p not in row and p["type"] not in ("row", "text"))
    assert "logs" not in {v["name"] for v in _dashboard(b, "cart", "jvm")["templating"]["list"]}


def test_slos_grouped_by_the_same_label_share_one_variable(demo):
    """Two SLOs by uri (different windows): one `uri` variable over both SLOs' series."""
    from obs.pipeline import build

    path = demo / "services" / "cart.yaml"
    path.write_text(path.read_text() + """    - name: latency-by-route
      objective: 99
      sli:
        latency:
          histogram: http_server_requests_seconds_bucket{application="cart"}
          threshold: 500ms
          groupBy: [uri, method]
""")
    b = build(demo, targets=["grafana"])
    assert [d.render() for d in b.diags if d.code.startswith("DB")] == []
    data = _dashboard(b, "cart", "slo")
    listed = {v["name"]: v for v in data["templating"]["list"]}
    assert list(listed) == ["datasource", "cluster", "uri", "method"]
    assert listed["uri"]["query"].startswith('label_values({__name__=~"slo:sli_error:ratio_rate')
    assert 'slo=~"by-route|latency-by-route"' in listed["uri"]["query"]
    assert 'slo="latency-by-route"' in listed["method"]["query"]
    latency = [t["expr"] for _, t in queries(data) if 'slo="latency-by-route"' in t["expr"]
               and "slo:objective:ratio" not in t["expr"]]
    assert latency and all('uri=~"$uri"' in e and 'method=~"$method"' in e for e in latency)
