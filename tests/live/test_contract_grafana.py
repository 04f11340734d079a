"""Grafana's datasource and folder checks against recorded Grafana 11 answers (Grafana cannot run here)."""

from __future__ import annotations

import pytest

from obs.commands.validate import validate
from tests.live.contract import clean, environ, serve, shop
from tests.live.scripted import ScriptedServer

pytestmark = pytest.mark.contract
TOKEN = "glsa_contract-s3cret-token"


def run(tmp_path, monkeypatch, *recordings, extra="", unused=()):
    root = shop(tmp_path, extra)
    with ScriptedServer() as srv:
        serve(srv, "grafana", *recordings)
        environ(monkeypatch, grafana=srv.url, token=TOKEN)
        out = validate(root, "contract", ["grafana"])
        if unused:  # recordings a test proves are NOT asked
            assert srv.unused() == sorted(unused) and not srv.unexpected
        else:
            clean(srv)
        assert all(r.headers.get("Authorization") == f"Bearer {TOKEN}" for r in srv.requests)
        asked = [r.path for r in srv.requests if r.path.startswith("/api/datasources/")]
    assert all(TOKEN not in f"{d.render()} {d.hint}" for d in out.diags)
    return out, asked


def test_contract_grafana_datasource_and_folder_present_is_clean(tmp_path, monkeypatch):
    out, asked = run(tmp_path, monkeypatch, "server", "datasource", "logs_datasource")
    assert out.diags == []
    assert {"live/grafana-datasource", "live/grafana-folder"} <= set(out.ran)
    # one uid each, asked once for 16 dashboards: `${datasource}` and `${logs}` are their defaults
    assert sorted(asked) == ["/api/datasources/uid/elasticsearch", "/api/datasources/uid/prometheus"]


def test_contract_grafana_missing_datasource_at_each_dashboard_definition(tmp_path, monkeypatch):
    out, _ = run(tmp_path, monkeypatch, "server", "missing", "logs_datasource")
    missing = [d for d in out.diags if d.code == "LV060"]
    assert len(missing) == 16
    where = {(d.pos.file, d.pos.line) for d in missing}
    assert ("services/checkout.yaml", 2) in where and ("dashboards/business.dashboard.py", 1) in where
    assert "'prometheus', which Grafana does not have" in missing[0].message
    folder = [d for d in out.diags if d.code == "LV062"]
    assert len(folder) == 1 and "no folder 'shop'" in folder[0].message


def test_contract_grafana_datasource_of_another_type(tmp_path, monkeypatch):
    out, _ = run(tmp_path, monkeypatch, "server", "wrong_type", "logs_datasource")
    wrong = [d for d in out.diags if d.code == "LV061"]
    assert len(wrong) == 16 and "expects a prometheus datasource" in wrong[0].message
    assert "'loki'" in wrong[0].message


def test_contract_grafana_environment_datasource_is_the_uid_asked(tmp_path, monkeypatch):
    """apply swaps the environment's grafana.datasource in; validate asks for that uid and
    points at the obs.yaml line that sets it."""
    out, asked = run(tmp_path, monkeypatch, "server", "env_datasource", "logs_datasource",
                     extra="        datasource: prom-prod\n")
    assert set(asked) == {"/api/datasources/uid/prom-prod", "/api/datasources/uid/elasticsearch"}
    missing = [d for d in out.diags if d.code == "LV060"]
    assert missing and {d.pos.file for d in missing} == {"obs.yaml"}


def test_contract_grafana_missing_logs_datasource_at_the_dashboards_that_show_logs(tmp_path, monkeypatch):
    """The `${logs}` variable's default uid is looked up like the Prometheus one: missing, it is
    reported at each dashboard that shows logs (the red dashboards of services with log alerts)."""
    out, _ = run(tmp_path, monkeypatch, "server", "datasource", "logs_missing")
    missing = [d for d in out.diags if d.code == "LV060"]
    assert missing and all("'elasticsearch', which Grafana does not have" in d.message for d in missing)
    assert {d.message.split()[1] for d in missing} == {"obs-checkout-red.json", "obs-order-red.json",
                                                       "obs-recommend-red.json"}
    assert "defaults.grafana.logsDatasource" in missing[0].hint


def test_contract_grafana_down_is_one_config_line(tmp_path, monkeypatch):
    root = shop(tmp_path)
    with ScriptedServer() as srv:
        url = srv.url
    environ(monkeypatch, grafana=url, token=TOKEN)
    out = validate(root, "contract", ["grafana"])
    assert [d.code for d in out.diags] == ["LV001"] and out.diags[0].config
    assert {name for name, _ in out.skipped} >= {"live/grafana-datasource", "live/grafana-folder"}


def test_contract_grafana_refused_token_is_one_config_line_and_the_server_is_not_asked_again(tmp_path, monkeypatch):
    out, _ = run(tmp_path, monkeypatch, "server", "unauthorized", unused=[("GET", "/api/folders")])
    [d] = out.diags
    assert d.code == "LV002" and d.config and d.pos.file == "obs.yaml"
    assert "live/grafana-folder" in {name for name, _ in out.skipped}


def test_contract_grafana_unset_environment_datasource_variable(tmp_path, monkeypatch):
    out, _ = run(tmp_path, monkeypatch, "server", extra="        datasource: {env: OBS_NO_SUCH_DS}\n")
    [d] = out.diags
    assert "OBS_NO_SUCH_DS is not set" in d.message and d.config and d.pos.file == "obs.yaml"
