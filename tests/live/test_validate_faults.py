"""Servers that fail: one that is down, one that answers 500 (at once, or in the middle of the
run), one that refuses the token. Each is one line at its obs.yaml entry and exit 2, the
checks it took down are listed as skipped, requests stay bounded, and no token is printed."""

from __future__ import annotations

import re

import pytest

from tests.live.projects import GOOD, TOKEN, checks_of, url_line, validate, write
from tests.live.scripted import Reply, ScriptedServer
from tests.live.servers import free_port

pytestmark = pytest.mark.live

BUILDINFO = {"status": "success", "data": {"version": "2.42.0", "revision": "x"}}
PROMETHEUS_CHECKS = checks_of("prometheus")


class Down:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there


def problems(result) -> list[str]:
    return [x for x in result.stderr.splitlines() if re.match(r"\S+:\d+:\d+: (error|warning)\[", x)]


def assert_skipped_all(result) -> None:
    summary = next(x for x in result.stderr.splitlines() if x.startswith("  skipped (prometheus cannot be used"))
    assert len(PROMETHEUS_CHECKS) >= 9 and all(name in summary for name in PROMETHEUS_CHECKS), result.stderr


def assert_clean(result) -> None:
    out = result.stdout + result.stderr
    assert TOKEN not in out and "Traceback" not in out and "\x1b[" not in out  # no progress display in a pipe


def test_a_server_that_is_down_is_one_line_and_exit_2(tmp_path):
    result = validate(write(tmp_path, GOOD), Down, None, "--target", "prometheus")
    assert result.returncode == 2, result.stderr
    [line] = problems(result)
    assert line.startswith(url_line("prometheus")) and "error[LV001]" in line and "cannot connect" in line
    assert_skipped_all(result)
    assert "3 requests sent" in result.stderr  # the preflight, retried twice with backoff, then nothing
    assert_clean(result)


def test_a_server_answering_500_is_one_line_and_exit_2(tmp_path):
    with ScriptedServer() as srv:
        srv.route("GET", "/api/v1/status/buildinfo", Reply(500, {"status": "error",
                                                                  "error": f"tsdb is corrupt (auth Bearer {TOKEN})"}))
        result = validate(write(tmp_path, GOOD), srv, None, "--target", "prometheus")
        assert [r.path for r in srv.requests] == ["/api/v1/status/buildinfo"]  # a 500 is not retried
    assert result.returncode == 2, result.stderr
    [line] = problems(result)
    assert "error[LV003]" in line and "answered 500: tsdb is corrupt (auth <redacted>)" in line
    assert_skipped_all(result)
    assert_clean(result)  # the server echoed the token: obs does not


def test_a_500_in_the_middle_stops_that_server_once(tmp_path):
    """The first check's series request fails: one line, and the other checks do not ask again."""
    with ScriptedServer() as srv:
        srv.route("GET", "/api/v1/status/buildinfo", Reply(200, BUILDINFO))
        srv.route("POST", "/api/v1/series", Reply(500, {"status": "error", "error": "out of memory"}))
        result = validate(write(tmp_path, GOOD), srv, None, "--target", "prometheus")
        assert [r.path for r in srv.requests] == ["/api/v1/status/buildinfo", "/api/v1/series"]
    assert result.returncode == 2, result.stderr
    [line] = problems(result)
    assert "error[LV003]" in line and "out of memory" in line
    assert "0 checks ran" in result.stderr
    assert_skipped_all(result)


def test_a_refused_token_is_one_line_and_never_printed(tmp_path):
    with ScriptedServer() as srv:
        srv.route("GET", "/api/v1/status/buildinfo", Reply(401, f"invalid token {TOKEN}"))
        result = validate(write(tmp_path, GOOD), srv, None, "--target", "prometheus")
        assert srv.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"  # sent, as obs.yaml says
    assert result.returncode == 2, result.stderr
    [line] = problems(result)
    assert "error[LV002]" in line
    assert_clean(result)  # even though the server echoed it


def test_the_token_is_not_in_a_written_report(tmp_path):
    with ScriptedServer() as srv:
        srv.route("GET", "/api/v1/status/buildinfo", Reply(403, {"error": f"bad {TOKEN}"}))
        root = write(tmp_path, GOOD)
        result = validate(root, srv, None, "--target", "prometheus", "--format", "json", "--output", "r.json")
    assert result.returncode == 2
    assert "LV002" in (root / "r.json").read_text() and TOKEN not in (root / "r.json").read_text()
