"""Acceptance on the shop fixture: `obs compile` writes its service, SLO and middleware
dashboards and the hand-written business dashboard exactly as grafanalib's own
`generate-dashboard` renders it; every query parses and the SLO dashboards read only
recording rules that obs wrote beside them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from obs.checks.promql import parse_error
from obs.dashboards.walk import CURRENT, fill_variables, metric_names, panels, queries

EXPECTED = {
    "obs-checkout-red", "obs-checkout-jvm", "obs-checkout-slo", "obs-order-red", "obs-order-jvm", "obs-order-slo",
    "obs-recommend-red", "obs-recommend-python", "obs-recommend-slo", "obs-payments-gateway-slo", "obs-search-slo",
    "obs-platform-data-redis", "obs-platform-data-rabbitmq", "obs-platform-data-mysql",
    "obs-platform-data-elasticsearch", "shop-business",
}


@pytest.fixture
def shop_out(shop: Path) -> Path:
    run = subprocess.run([sys.executable, "-m", "obs", "compile"], cwd=shop, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    return shop / "out"


def test_shop_compiles_every_dashboard(shop_out):
    uids = {p.stem for p in (shop_out / "grafana").glob("*.json")}
    assert uids == EXPECTED
    maps = {p.name for p in (shop_out / "kubernetes").glob("grafana-dashboard-*.yaml")}
    assert maps == {f"grafana-dashboard-{u}.yaml" for u in EXPECTED}


def test_business_dashboard_is_what_grafanalib_generates(shop, shop_out, tmp_path):
    tool = shutil.which("generate-dashboard")
    if tool is None:
        pytest.fail("grafanalib's generate-dashboard is missing: run scripts/test.sh (pip install -e .[test])")
    subprocess.run([tool, "-o", str(tmp_path / "biz.json"), "dashboards/business.dashboard.py"], cwd=shop,
                   check=True, timeout=60)
    assert json.loads((shop_out / "grafana" / "shop-business.json").read_text()) == \
        json.loads((tmp_path / "biz.json").read_text())


def test_generated_dashboards_use_current_panels_and_valid_promql(shop_out):
    for path in sorted((shop_out / "grafana").glob("obs-*.json")):
        data = json.loads(path.read_text())
        assert {p["type"] for p in panels(data)} <= CURRENT, path.name
        for _, target in queries(data):
            expr, certain = fill_variables(target["expr"])
            assert certain and parse_error(expr) is None, f"{path.name}: {target['expr']}"


def test_slo_dashboards_read_only_the_recorded_slo_rules(shop_out):
    recorded = set()
    for path in (shop_out / "prometheus").glob("*.rules.yaml"):
        for group in yaml.safe_load(path.read_text())["groups"]:
            recorded |= {r["record"] for r in group["rules"] if "record" in r}
    for path in sorted((shop_out / "grafana").glob("obs-*-slo.json")):
        read = set()
        for _, target in queries(json.loads(path.read_text())):
            read |= metric_names(fill_variables(target["expr"])[0])
        slo_rules = {n for n in read if n.startswith("slo:")}
        assert slo_rules and slo_rules <= recorded, f"{path.name}: not recorded: {sorted(slo_rules - recorded)}"
        assert read - slo_rules <= {"ALERTS"}, path.name
