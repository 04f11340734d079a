"""Dashboard lint findings: unknown templates, Angular panels, datasources by name, PromQL that
does not parse, uids Grafana refuses or that collide, ConfigMaps too large to apply."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from obs.pipeline import build


def _write(root: Path, path: str, text: str) -> None:
    (root / path).write_text(textwrap.dedent(text).lstrip())


def _diags(root: Path, code: str | None = None) -> list[str]:
    return [d.render() for d in build(root, targets=["grafana"]).diags if code is None or d.code == code]


def _json_dashboard(root: Path, name: str, data: dict) -> None:
    """A dashboard exported from Grafana as JSON, read through a one-line jsonnet file."""
    (root / "dashboards" / f"{name}.json").write_text(json.dumps(data))
    (root / "dashboards" / f"{name}.jsonnet").write_text(f"import '{name}.json'\n")


def test_unknown_template_names_the_templates(demo):
    path = demo / "services" / "gateway.yaml"
    path.write_text(path.read_text().replace("runtime: go", "runtime: go\n  dashboards: [red, nginx]"))
    b = build(demo, targets=["grafana"])
    (diag,) = [d for d in b.diags if d.code == "DB010"]
    assert diag.render() == "services/gateway.yaml:8:15: error[DB010]: service gateway: no dashboard template 'nginx'"
    assert "elasticsearch, jvm, mysql, python, rabbitmq, red, redis" in diag.hint
    assert any(a.path == "grafana/obs-gateway-red.json" for a in b.artifacts)


def test_listing_slo_without_slos_is_a_warning(demo):
    path = demo / "services" / "gateway.yaml"
    path.write_text(path.read_text().replace("runtime: go", "runtime: go\n  dashboards: [red, slo]"))
    assert _diags(demo, "DB010") == ["services/gateway.yaml:8:15: warning[DB010]: service gateway lists the slo "
                                     "dashboard but has no SLOs"]


def test_angular_panels_and_named_datasources_are_reported(demo):
    _write(demo, "dashboards/legacy.dashboard.py", """
        from grafanalib.core import Dashboard, Graph, Row, SingleStat, Target
        dashboard = Dashboard(title="legacy", uid="legacy", rows=[Row(panels=[
            Graph(title="old graph", dataSource="Prometheus", targets=[Target(expr="up", refId="A")]),
            SingleStat(title="old stat", targets=[Target(expr="up", refId="A")]),
        ])]).auto_panel_ids()
    """)
    assert _diags(demo, "DB011") == [
        "dashboards/legacy.dashboard.py:1:1: warning[DB011]: grafana/legacy.json: panel 'old graph' is an Angular "
        "'graph' panel, which Grafana 11 no longer loads by default",
        "dashboards/legacy.dashboard.py:1:1: warning[DB011]: grafana/legacy.json: panel 'old stat' is an Angular "
        "'singlestat' panel, which Grafana 11 no longer loads by default",
    ]
    assert _diags(demo, "DB012") == [
        "dashboards/legacy.dashboard.py:1:1: warning[DB012]: grafana/legacy.json: panel 'old graph' names "
        "datasource 'Prometheus'; names differ between Grafana instances"]


def test_invalid_promql_is_an_error_but_variables_are_understood(demo):
    ds = {"type": "prometheus", "uid": "prometheus"}
    _json_dashboard(demo, "queries", {"title": "q", "uid": "q", "panels": [
        {"type": "timeseries", "title": "broken", "datasource": ds,
         "targets": [{"refId": "A", "expr": "sum(rate(x[5m])"}]},
        {"type": "timeseries", "title": "variables", "datasource": ds, "targets": [
            {"refId": "A", "expr": 'sum by ($group) (rate(x{job=~"$job"}[$__rate_interval]))'},
            {"refId": "B", "expr": "rate(x[${window}])"},
            {"refId": "C", "expr": "increase(x[$__range]) / $__range_s"}]},
        {"type": "timeseries", "title": "loki", "datasource": {"type": "loki", "uid": "loki"},
         "targets": [{"refId": "A", "expr": '{app="x"} |= "error"'}]},
    ]})
    diags = _diags(demo, "DB013")
    assert len(diags) == 1
    assert diags[0].startswith("dashboards/queries.jsonnet:1:1: error[DB013]: grafana/q.json: panel 'broken' "
                               "query A: invalid PromQL: ")


def test_uid_problems(demo):
    _json_dashboard(demo, "baduid", {"title": "b", "uid": "has spaces and is far too long for grafana", "panels": []})
    _json_dashboard(demo, "taken", {"title": "t", "uid": "obs-cart-red", "panels": []})
    diags = _diags(demo)
    assert diags == [
        "dashboards/baduid.jsonnet:1:1: error[DB004]: dashboards/baduid.jsonnet: dashboard uid 'has spaces and is far "
        "too long for grafana' is not valid in Grafana",
        "dashboards/taken.jsonnet:1:1: error[DB005]: dashboard uid 'obs-cart-red' of dashboards/taken.jsonnet is "
        "already used by cart/red",
    ]


def test_large_dashboards_warn_before_kubectl_refuses_them(demo):
    _json_dashboard(demo, "big", {"title": "big", "uid": "big", "panels": [
        {"type": "text", "title": "notes", "options": {"content": "x" * 300_000, "mode": "markdown"}}]})
    (diag,) = _diags(demo, "DB014")
    assert diag.startswith("dashboards/big.jsonnet:1:1: warning[DB014]: kubernetes/grafana-dashboard-big.yaml is ")
    assert "client-side `kubectl apply` refuses objects above 256 KiB" in diag


def _exported(templating: list, ds_uid: str, expr: str) -> dict:
    ds = {"type": "prometheus", "uid": ds_uid}
    return {"title": "Exported", "uid": "exported", "templating": {"list": templating},
            "panels": [{"id": 1, "type": "timeseries", "title": "rate", "datasource": ds,
                        "targets": [{"refId": "A", "expr": expr, "datasource": ds}]}]}


PICKER = {"name": "datasource", "type": "datasource", "query": "prometheus",
          "current": {"text": "Prometheus", "value": "prom-main"}}
CLUSTER = {"name": "cluster", "type": "query", "query": "label_values(up, cluster)",
           "datasource": {"type": "prometheus", "uid": "${datasource}"}}


def test_datasource_and_query_variables_that_the_dashboard_defines_are_clean(demo):
    _json_dashboard(demo, "exported", _exported([PICKER, CLUSTER], "${datasource}",
                                                'sum(rate(up{cluster=~"$cluster"}[$__rate_interval]))'))
    assert _diags(demo, "DB015") == [] and _diags(demo, "DB016") == [] and _diags(demo, "DB012") == []


def test_a_datasource_variable_the_dashboard_does_not_define_is_reported(demo):
    _json_dashboard(demo, "exported", _exported([CLUSTER], "${ds}", 'up{cluster=~"$cluster"}'))
    assert _diags(demo, "DB015") == [
        "dashboards/exported.jsonnet:1:1: warning[DB015]: grafana/exported.json: panel 'rate' reads datasource "
        "'${ds}', which is not a datasource variable of the dashboard: Grafana opens it with no datasource"]
    unset = {**PICKER, "current": {}}
    _json_dashboard(demo, "exported", _exported([unset], "$datasource", "up"))
    assert ["has no datasource selected" in d for d in _diags(demo, "DB015")] == [True]


def test_a_query_variable_the_dashboard_does_not_define_is_reported(demo):
    _json_dashboard(demo, "exported", _exported([PICKER], "${datasource}",
                                                'sum(rate(up{cluster=~"$cluster", pod=~"${pod:regex}"}[$__range]))'))
    assert _diags(demo, "DB016") == [
        "dashboards/exported.jsonnet:1:1: warning[DB016]: grafana/exported.json: panel 'rate' query A uses "
        "$cluster, $pod, which the dashboard does not define: Grafana sends the text as it is"]
