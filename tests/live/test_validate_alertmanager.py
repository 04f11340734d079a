"""`obs validate` against a real Alertmanager 0.25: the compiled config is accepted (amtool
check-config, the server's version) and every channel's receiver is reached by a route."""

from __future__ import annotations

import pytest

from tests.live.projects import GOOD, checks_of, finding, url_line, validate, write
from tests.live.scripted import Reply, ScriptedServer

STATUS = {"cluster": {"status": "disabled"}, "config": {"original": ""}, "uptime": "2026-01-01T00:00:00Z",
          "versionInfo": {"version": "0.21.0", "revision": "x", "branch": "HEAD", "buildUser": "", "buildDate": "",
                          "goVersion": "go1.14"}}


@pytest.mark.live
def test_the_good_config_is_accepted_and_its_receivers_reached(good):
    assert not [x for x in good.stderr.splitlines() if "[LV03" in x and "error[" in x], good.stderr


@pytest.mark.live
def test_amtool_refusal_points_at_the_channel(bad):
    line = finding(bad, "AMTOOL-REFUSES", "LV030")
    assert 'bad matcher format: team-x="payments"' in line


@pytest.mark.live
def test_a_channel_no_route_reaches_is_found(bad):
    line = finding(bad, "UNREACHABLE-RECEIVER", "LV032")
    assert "channel forgotten" in line and "no route names it" in line
    assert "channel payments-oncall" not in bad.stderr  # its match: {team: payments} reaches it


@pytest.mark.live
def test_an_alertmanager_that_is_down_skips_only_its_checks(tmp_path, prometheus):
    result = validate(write(tmp_path, GOOD), prometheus, None)
    assert result.returncode == 2
    line = next(x for x in result.stderr.splitlines() if "error[LV001]" in x)
    assert line.startswith(url_line("alertmanager")) and "alertmanager: cannot connect" in line
    skipped = next(x for x in result.stderr.splitlines() if x.startswith("  skipped (alertmanager"))
    assert "alertmanager/check-config" in skipped and "prometheus/" not in skipped
    assert f"{len(checks_of('prometheus'))} checks ran" in result.stderr  # Prometheus's


@pytest.mark.contract
def test_contract_an_older_server_would_refuse_the_config(tmp_path):
    """Alertmanager 0.21 (API v2 status as documented) has no `matchers`: a reload would fail."""
    with ScriptedServer() as srv:
        srv.route("GET", "/api/v2/status", Reply(200, STATUS))
        result = validate(write(tmp_path, GOOD), None, srv, "--target", "alertmanager")
        assert not srv.unexpected
    assert result.returncode == 1, result.stderr
    assert "error[LV031]: alertmanager/alertmanager.yaml uses matchers, which Alertmanager reads from 0.22.0; " \
           "the server runs 0.21.0" in result.stderr
    assert "checked with amtool 0.25.0; the server runs 0.21.0" in result.stderr
