"""The grafana target's outputs: out/grafana/<uid>.json and one sidecar ConfigMap per dashboard,
deterministic across processes, with uids Grafana accepts and the datasource swappable per
environment; and the lint checks on dashboards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import yaml

from obs.dashboards import dashboard_uid, dashboard_url
from obs.dashboards.encode import custom_uid, with_datasource
from obs.dashboards.walk import fill_variables, metric_names, queries
from obs.pipeline import build

K8S_VERSION = "1.30.0"


def _configmaps(b) -> dict[str, dict]:
    return {a.path: yaml.safe_load(a.content) for a in b.artifacts if a.path.startswith("kubernetes/grafana-")}


def _set_grafana(root: Path, block: str) -> None:
    text = (root / "obs.yaml").read_text()
    (root / "obs.yaml").write_text(text.replace("kubernetes: {namespace: monitoring}",
                                                "kubernetes: {namespace: monitoring}\n    grafana: " + block))


def test_one_json_and_one_configmap_per_dashboard(demo_build):
    paths = sorted(a.path for a in demo_build.artifacts if a.target == "grafana")
    uids = ["demo-sales", "demo-stock", "obs-cart-jvm", "obs-cart-red", "obs-cart-slo", "obs-data-elasticsearch",
            "obs-data-mysql", "obs-data-rabbitmq", "obs-data-redis", "obs-gateway-red", "obs-ranker-python",
            "obs-ranker-red"]
    assert paths == sorted([f"grafana/{u}.json" for u in uids] + [f"kubernetes/grafana-dashboard-{u}.yaml"
                                                                   for u in uids])


def test_configmaps_are_valid_sidecar_objects_holding_the_dashboard(demo_build):
    files = {a.path: a.content for a in demo_build.artifacts}
    for path, cm in _configmaps(demo_build).items():
        kubernetes_validate.validate(cm, K8S_VERSION, strict=True)
        uid = path.removeprefix("kubernetes/grafana-dashboard-").removesuffix(".yaml")
        meta = cm["metadata"]
        assert meta["name"] == f"grafana-dashboard-{uid}" and meta["namespace"] == "monitoring"
        assert meta["labels"] == {"grafana_dashboard": "1", "app.kubernetes.io/managed-by": "obs",
                                  "obs.dev/project": "demo"}
        assert meta["annotations"]["grafana_folder"] == "demo"
        assert meta["annotations"]["obs.dev/source"].startswith(("services/", "dashboards/"))
        assert list(cm["data"]) == [f"{uid}.json"]
        assert json.loads(cm["data"][f"{uid}.json"]) == json.loads(files[f"grafana/{uid}.json"])


def test_folder_and_annotation_are_configurable(demo):
    _set_grafana(demo, "{folder: Shop Services, folderAnnotation: k8s-sidecar-target-directory}")
    cm = _configmaps(build(demo, targets=["grafana"]))["kubernetes/grafana-dashboard-obs-cart-red.yaml"]
    assert cm["metadata"]["annotations"]["k8s-sidecar-target-directory"] == "Shop Services"
    assert "grafana_folder" not in cm["metadata"]["annotations"]


def test_json_is_sorted_indented_and_ends_with_a_newline(demo_build):
    for a in demo_build.artifacts:
        if a.path.startswith("grafana/"):
            text = a.content.decode()
            assert text.endswith("}\n")
            assert text == json.dumps(json.loads(text), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def test_compile_is_byte_identical_across_processes(demo, tmp_path):
    trees = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-m", "obs", "compile"], cwd=demo, capture_output=True, text=True,
                             env=env, timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr
        out = demo / "out"
        trees.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
                      and p.name != "manifest.json"})
        (demo / "out").rename(tmp_path / f"out{seed}")
    assert trees[0] == trees[1]
    assert "grafana/obs-cart-slo.json" in trees[0] and "kubernetes/grafana-dashboard-demo-sales.yaml" in trees[0]


def test_uids_are_stable_and_links_point_at_them(demo_build):
    assert dashboard_uid("cart", "slo") == "obs-cart-slo"
    long = dashboard_uid("a-very-long-service-name-for-the-limit", "elasticsearch")
    assert len(long) == 40 and long == dashboard_uid("a-very-long-service-name-for-the-limit", "elasticsearch")
    assert custom_uid("demo", "dashboards/sales.dashboard.py") == "demo-sales"
    assert custom_uid("demo", "x.jsonnet", "api overview.json") == "demo-api-overview"
    assert dashboard_url(demo_build.catalog, "cart", "slo") is None  # no defaults.grafana.url in the demo


def test_datasource_uid_swaps_for_an_environment(demo_build):
    data = json.loads(next(a.content for a in demo_build.artifacts if a.path == "grafana/obs-cart-red.json"))
    data["panels"].append({"type": "stat", "datasource": {"type": "prometheus", "uid": "prometheus"}})
    swapped = json.dumps(with_datasource(data, "prom-prod"))
    assert '"uid": "prometheus"' not in swapped and swapped.count('"uid": "prom-prod"') == 1
    assert json.loads(swapped)["uid"] == "obs-cart-red"  # the dashboard's own uid is left alone
    [picker] = [v for v in json.loads(swapped)["templating"]["list"] if v["type"] == "datasource"]
    assert picker["current"]["value"] == picker["current"]["text"] == "prom-prod"  # what the panels open with
    assert swapped.count('"uid": "${datasource}"') == json.dumps(data).count('"uid": "${datasource}"') > 20


def test_slo_dashboard_follows_the_policy(demo_build):
    data = json.loads(next(a.content for a in demo_build.artifacts if a.path == "grafana/obs-cart-slo.json"))
    titles = [p["title"] for p in data["panels"]]
    assert titles.count("Burn rate: page (critical)") == 2
    assert titles.count("Burn rate: ticket (warning)") == 1  # by-route disables its ticket tier
    page = next(p for p in data["panels"] if p["title"] == "Burn rate: page (critical)")
    assert [s["value"] for s in page["fieldConfig"]["defaults"]["thresholds"]["steps"]] == [None, 6.0, 14.4]
    assert page["targets"][0]["expr"] == \
        'slo:sli_error:ratio_rate1h{service="cart", slo="availability", cluster=~"$cluster"} / 0.001'
    windows = next(p for p in data["panels"] if p["title"] == "Error ratio over the windows")
    assert [t["legendFormat"] for t in windows["targets"]] == ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]
    firing = next(p for p in data["panels"] if p["title"] == "Burn alerts firing")
    assert [t["legendFormat"] for t in firing["targets"]] == ["page", "ticket", "no SLI data"]
    page_pairs = firing["targets"][0]["expr"]
    assert 'slo:sli_error:ratio_rate1h{service="cart", slo="availability", cluster=~"$cluster"} > (14.4 * 0.001)' \
        in page_pairs  # KubeSphere's ruler writes no ALERTS where Grafana reads: none is read
    assert not any("ALERTS" in metric_names(fill_variables(t["expr"])[0]) for _, t in queries(data))


def test_dashboard_link_in_slo_alerts_resolves_to_the_slo_dashboard(demo):
    _set_grafana(demo, "{url: 'https://grafana.example.com/'}")
    b = build(demo, targets=["grafana", "prometheus"])
    rules = yaml.safe_load(next(a.content for a in b.artifacts if a.path == "prometheus/cart.rules.yaml"))
    links = {r["annotations"].get("dashboard") for g in rules["groups"] for r in g["rules"]
             if r.get("alert") == "ErrorBudgetBurn"}
    assert links == {"https://grafana.example.com/d/obs-cart-slo"}
    assert any(a.path == "grafana/obs-cart-slo.json" for a in b.artifacts)


def test_dashboard_link_falls_back_to_the_one_grafana_of_the_environments(demo):
    text = (demo / "obs.yaml").read_text() + ("  environments:\n    prod:\n      grafana: {url: 'https://g.example.com/'}\n"
                                              "    dev:\n      grafana: {url: {env: DEV_GRAFANA_URL}}\n")
    (demo / "obs.yaml").write_text(text)
    assert dashboard_url(build(demo, targets=[]).catalog, "cart", "slo") == "https://g.example.com/d/obs-cart-slo"
    (demo / "obs.yaml").write_text(text + "    stage:\n      grafana: {url: 'https://other.example.com'}\n")
    assert dashboard_url(build(demo, targets=[]).catalog, "cart", "slo") is None  # two Grafanas: no guess


def test_datasource_references_resolve_variables_to_the_uid_they_open_with(demo_build):
    """What `obs validate` looks up in Grafana: a datasource variable's current uid; an
    undefined variable or one without a current value is nothing to look up."""
    from obs.live.checks.grafana import references

    data = json.loads(next(a.content for a in demo_build.artifacts if a.path == "grafana/obs-cart-red.json"))
    assert set(references(data)) == {("prometheus", "prometheus")}
    assert set(references(with_datasource(data, "prom-prod"))) == {("prom-prod", "prometheus")}
    data["templating"]["list"][0]["current"] = {}
    assert set(references(data)) == set()
    panel = {"datasource": {"type": "prometheus", "uid": "$ds"}, "targets": []}
    assert set(references({"panels": [panel], "templating": {"list": []}})) == set()
