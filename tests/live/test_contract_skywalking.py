"""The SkyWalking OAP check against recorded GraphQL answers of OAP 10 and OAP 8 (no OAP here)."""

from __future__ import annotations

import pytest

from obs.commands.validate import validate
from obs.diagnostics import Severity
from tests.live.contract import clean, environ, serve, shop
from tests.live.scripted import Reply, ScriptedServer

pytestmark = pytest.mark.contract


def run(tmp_path, monkeypatch, *recordings):
    root = shop(tmp_path)
    with ScriptedServer() as srv:
        serve(srv, "skywalking", *recordings)
        environ(monkeypatch, skywalking=srv.url)
        out = validate(root, "contract", ["skywalking"])
        clean(srv)
        bodies = [r.json() for r in srv.requests]
    return out, bodies


def test_contract_skywalking_every_injected_service_known(tmp_path, monkeypatch):
    out, bodies = run(tmp_path, monkeypatch, "server", "known")
    assert out.diags == [] and "live/skywalking-service" in out.ran
    asked = sorted(b["variables"]["name"] for b in bodies if "variables" in b)
    assert asked == ["ai::recommend", "shop::checkout", "shop::order"]  # apm services only, <ns>::<name>


def test_contract_skywalking_unknown_service_with_near_name(tmp_path, monkeypatch):
    out, _ = run(tmp_path, monkeypatch, "server", "known", "unknown")
    [d] = out.diags
    assert d.code == "LV065" and d.severity is Severity.WARNING
    assert d.pos.file == "services/recommend.yaml"
    assert "'ai::recommend'" in d.message and "'ai::recommender'" in d.hint


def test_contract_skywalking_oap8_falls_back_to_search_service(tmp_path, monkeypatch):
    out, bodies = run(tmp_path, monkeypatch, "server", "oap8")
    assert [(d.code, d.pos.file) for d in out.diags] == [("LV065", "services/order.yaml")]
    assert sum("findService" in b["query"] for b in bodies) == 1  # asked once, then v1 only


def test_contract_skywalking_not_graphql_is_one_line(tmp_path, monkeypatch):
    root = shop(tmp_path)
    with ScriptedServer() as srv:
        srv.route("POST", "/graphql", Reply(200, "<html>"))
        environ(monkeypatch, skywalking=srv.url)
        out = validate(root, "contract", ["skywalking"])
    assert [d.code for d in out.diags] == ["LV003"]
    assert "did not answer JSON" in out.diags[0].message
