"""The Session against a real loopback socket: sub-paths, auth, bounded retries with backoff,
Retry-After, timeouts, typed errors, merged identical reads — and no credential in any message."""

from __future__ import annotations

import socket
import threading

import pytest

from obs.live.environment import Endpoint
from obs.live.errors import BadResponse, Conflict, NotFound, Rejected, Unauthorized, Unreachable, diagnostic_for
from obs.live.http import Policy, Session
from tests.live.scripted import Reply, ScriptedServer

TOKEN = "tok-s3cr3t-0123456789"


def session(url: str, **policy) -> tuple[Session, list[float]]:
    slept: list[float] = []
    endpoint = Endpoint("prometheus", url, {"Authorization": f"Bearer {TOKEN}"})
    return Session(endpoint, Policy(**{"read_timeout": 2.0, **policy}), sleep=slept.append), slept


def test_sub_path_and_auth_and_user_agent_reach_the_server():
    with ScriptedServer() as srv:
        srv.route("GET", "/prom/api/v1/status/buildinfo", Reply(200, {"status": "success"}))
        s, _ = session(srv.url + "/prom/")
        assert s.get_json("/api/v1/status/buildinfo") == {"status": "success"}
        req = srv.requests[0]
        assert req.headers["Authorization"] == f"Bearer {TOKEN}"
        assert req.headers["User-Agent"].startswith("obs/")


def test_basic_auth_from_username_and_password():
    with ScriptedServer() as srv:
        srv.route("GET", "/x", Reply(200, {}))
        s = Session(Endpoint("grafana", srv.url, username="admin", password="pw-secret"))
        s.get("/x")
        assert srv.requests[0].headers["Authorization"].startswith("Basic ")


def test_a_503_then_200_is_retried_after_a_backoff():
    with ScriptedServer() as srv:
        srv.route("GET", "/q", [Reply(503, "busy"), Reply(200, {"ok": 1})])
        s, slept = session(srv.url)
        assert s.get_json("/q") == {"ok": 1}
        assert len(srv.requests) == 2 and slept == [0.5]


def test_retries_are_bounded_and_back_off_exponentially():
    with ScriptedServer() as srv:
        srv.route("GET", "/q", Reply(502, "bad gateway"))
        s, slept = session(srv.url)
        with pytest.raises(BadResponse) as e:
            s.get("/q")
        assert len(srv.requests) == 3 and slept == [0.5, 1.0]
        assert "502" in e.value.message


def test_retry_after_is_honoured_and_an_excessive_one_is_not_waited_for():
    with ScriptedServer() as srv:
        srv.route("GET", "/q", [Reply(429, "slow down", {"Retry-After": "2"}), Reply(200, {})])
        srv.route("GET", "/long", Reply(429, "slow down", {"Retry-After": "3600"}))
        s, slept = session(srv.url)
        s.get("/q")
        assert slept == [2.0]
        with pytest.raises(Rejected):
            s.get("/long")
        assert [r.path for r in srv.requests].count("/long") == 1


def test_writes_are_sent_once():
    with ScriptedServer() as srv:
        srv.route("POST", "/-/reload", Reply(503, "no"))
        s, slept = session(srv.url)
        with pytest.raises(BadResponse):
            s.post("/-/reload")
        assert len(srv.requests) == 1 and slept == []


def test_a_server_that_does_not_answer_in_time_is_unreachable():
    with ScriptedServer() as srv:
        srv.route("GET", "/slow", Reply(200, {}, delay=1.5))
        s, _ = session(srv.url, read_timeout=0.3, attempts=2)
        with pytest.raises(Unreachable) as e:
            s.get("/slow")
        assert "within 0.3s" in e.value.message


def test_a_closed_port_is_unreachable_with_a_config_diagnostic():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    s, slept = session(f"http://user:pw@127.0.0.1:{port}/p?access_token={TOKEN}")
    with pytest.raises(Unreachable) as e:
        s.get("/api/v1/query", params={"query": "up"})
    assert len(slept) == 2
    d = diagnostic_for(e.value, None)
    assert d.config and d.code == "LV001"
    text = d.render() + (d.hint or "")
    assert TOKEN not in text and "pw" not in text and "connection refused" in text


@pytest.mark.parametrize("status, error", [(401, Unauthorized), (403, Unauthorized), (404, NotFound),
                                           (409, Conflict), (412, Conflict), (400, Rejected), (500, BadResponse)])
def test_status_codes_map_to_typed_errors(status, error):
    with ScriptedServer() as srv:
        srv.route("PUT", "/obj", Reply(status, {"error": {"reason": f"because {status}"}}))
        s, _ = session(srv.url)
        with pytest.raises(error) as e:
            s.put("/obj", json_body={"a": 1})
        assert e.value.status == status
        assert TOKEN not in str(e.value)


def test_a_status_the_caller_expects_is_returned():
    with ScriptedServer() as srv:
        srv.route("GET", "/missing", Reply(404, {"found": False}))
        s, _ = session(srv.url)
        assert s.get("/missing", ok=(404,)).status == 404


def test_identical_concurrent_reads_are_sent_once_and_errors_are_not_cached():
    with ScriptedServer() as srv:
        srv.route("GET", "/series", Reply(200, {"data": []}, delay=0.2))
        srv.route("GET", "/flaky", [Reply(500, "x"), Reply(200, {})])
        s, _ = session(srv.url)
        threads = [threading.Thread(target=s.get, args=("/series", {"match[]": "up"})) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert [r.path for r in srv.requests].count("/series") == 1
        with pytest.raises(BadResponse):
            s.get("/flaky")
        assert s.get("/flaky").status == 200  # the failure was not remembered


def test_a_body_that_is_not_json_is_a_bad_response():
    with ScriptedServer() as srv:
        srv.route("GET", "/api", Reply(200, "<html>login</html>"))
        s, _ = session(srv.url)
        with pytest.raises(BadResponse) as e:
            s.get_json("/api")
        assert "right URL" in e.value.message
