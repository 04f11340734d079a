"""The search checks when the server misbehaves: down (exit 2, one line at its obs.yaml entry), a
500 or a 503 that stays (one line, bounded attempts, the checks listed as stopped), and — as
contract tests on documented answers — servers whose API differs: Elasticsearch before 7.9 has no
`_resolve/index`, and a read-only API key may not see `GET /`."""

from __future__ import annotations

import os
import re
import socket

import pytest
from helpers import run_obs

from tests.live.scripted import Reply, ScriptedServer
from tests.live.search_data import at

KEY = "a2V5LWlkOnMzY3IzdC1hcGkta2V5"  # the ApiKey obs sends; never printed
OBS_YAML = """\
apiVersion: obs/v1
kind: Project
metadata: {name: val}
spec:
  sources: ["*.yaml"]
  targets: [elastalert, watcher]
  defaults:
    logs: {index: "ks-logstash-log-*", targets: [elastalert, watcher]}
  environments:
    e:
      elasticsearch: {url: {env: T_ES_URL}, apiKey: {env: T_ES_KEY}}
"""
ALERTS = """\
apiVersion: obs/v1
kind: LogAlert
metadata: {name: pay-errors, service: shop}
spec:
  query: 'kubernetes.pod:"checkout-1" AND log:"PaymentException"'
  when: count > 5 in 5m
  severity: warning
  summary: s
"""
SERVICE = "apiVersion: obs/v1\nkind: Service\nmetadata: {name: shop, team: pay}\nspec: {}\n"
ROOT_8 = {"name": "n", "version": {"number": "8.19.4", "build_flavor": "default"}, "tagline": "You Know, for Search"}
PRODUCT = {"X-Elastic-Product": "Elasticsearch"}
#: _field_caps and _validate/query as Elasticsearch 7.x answers them (same shapes as the live tests see)
CAPS = {"indices": ["ks-logstash-log-2026.01.01"], "fields": {
    "@timestamp": {"date": {"type": "date", "searchable": True, "aggregatable": True}},
    "log": {"text": {"type": "text", "searchable": True, "aggregatable": False}},
    "kubernetes.pod_name": {"text": {"type": "text", "searchable": True, "aggregatable": False}},
    "kubernetes.pod_name.keyword": {"keyword": {"type": "keyword", "searchable": True, "aggregatable": True}}}}
VALID = {"valid": True, "_shards": {"total": 1, "successful": 1, "failed": 0}, "explanations": [
    {"index": "ks-logstash-log-2026.01.01", "valid": True,
     "explanation": '+MatchNoDocsQuery("unmapped fields [kubernetes.pod]") +log:"paymentexception"'}]}


def project(root):
    (root / "obs.yaml").write_text(OBS_YAML)
    (root / "alerts.yaml").write_text(ALERTS)
    (root / "service.yaml").write_text(SERVICE)
    return root


def validate(root, url: str):
    proc = run_obs("validate", "--env", "e", cwd=root, env={**os.environ, "T_ES_URL": url, "T_ES_KEY": KEY})
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out and KEY not in out, out
    lines = [line for line in out.splitlines() if re.match(r"^\S+:\d+:\d+: (error|warning)\[", line)]
    return proc.returncode, lines, out


def url_pos() -> str:
    return at(OBS_YAML, "elasticsearch: {url", "{env", file="obs.yaml")


def test_a_server_that_is_down_is_one_line_and_exit_2(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket is closed
    code, lines, out = validate(project(tmp_path), f"http://127.0.0.1:{port}")
    assert code == 2, out
    assert lines == [f"{url_pos()}: error[LV001]: elasticsearch: cannot connect to http://127.0.0.1:{port}/ "
                     "(connection refused)"]
    assert "skipped (elasticsearch cannot be used (see above)): search/elasticsearch" in out


def test_a_500_stops_the_check_with_one_line_at_the_server(tmp_path):
    with ScriptedServer() as srv:
        srv.route("GET", "/", Reply(200, ROOT_8, PRODUCT))
        srv.route("GET", "/_resolve/index/ks-logstash-log-*",
                  Reply(500, {"error": {"type": "exception", "reason": "shard failure: boom"}, "status": 500}))
        code, lines, out = validate(project(tmp_path), srv.url)
        resolves = [r for r in srv.requests if r.path.startswith("/_resolve")]
        assert all(r.headers["Authorization"] == f"ApiKey {KEY}" for r in srv.requests)
    assert code == 2, out  # validation could not be done: a server failing mid-run is exit 2 (docs/validate.md)
    assert lines == [f"{url_pos()}: error[LV003]: elasticsearch: {srv.url}/_resolve/index/ks-logstash-log-* "
                     "answered 500: shard failure: boom"]
    assert len(resolves) == 1  # a 500 is not retried
    assert "skipped (elasticsearch cannot be used (see above)): search/elasticsearch" in out


def test_a_503_that_stays_is_asked_three_times_then_one_line(tmp_path):
    with ScriptedServer() as srv:
        srv.route("GET", "/", Reply(200, ROOT_8, PRODUCT))
        srv.route("GET", "/_resolve/index/ks-logstash-log-*", Reply(503, "unavailable"))
        code, lines, out = validate(project(tmp_path), srv.url)
        resolves = [r for r in srv.requests if r.path.startswith("/_resolve")]
    assert code == 2 and len(lines) == 1 and "answered 503" in lines[0], out
    assert len(resolves) == 3  # bounded retries with backoff, no storm


@pytest.mark.contract
def test_contract_search_before_7_9_resolves_through_field_caps(tmp_path):
    """Elasticsearch 7.8 has no `_resolve/index` (added in 7.9:
    https://www.elastic.co/guide/en/elasticsearch/reference/7.9/indices-resolve-index-api.html);
    `_field_caps` names the indices an expression expands to, so obs asks that instead."""
    with ScriptedServer() as srv:
        srv.route("GET", "/", Reply(200, {"version": {"number": "7.8.1", "build_flavor": "default"}}, PRODUCT))
        srv.route("GET", "/ks-logstash-log-*/_field_caps", Reply(200, CAPS))
        srv.route("POST", "/ks-logstash-log-*/_validate/query", Reply(200, VALID))
        code, lines, out = validate(project(tmp_path), srv.url)
        assert srv.unexpected == [] and srv.unused() == []
        caps = next(r for r in srv.requests if r.path.endswith("/_field_caps"))
    assert "include_unmapped" in caps.query  # 7.2+
    assert code == 1, out
    assert len(lines) == 1 and "field 'kubernetes.pod' (in the query) does not exist" in lines[0] \
        and "did you mean 'kubernetes.pod_name'?" in lines[0]


@pytest.mark.contract
def test_contract_a_key_that_may_not_read_the_root_still_validates(tmp_path):
    """`GET /` needs the `monitor` cluster privilege, which a read-only key for log indices may lack
    (403, https://www.elastic.co/guide/en/elasticsearch/reference/current/security-privileges.html):
    obs then asks `_nodes/_local`, and without that too goes on with the APIs every supported version has."""
    denied = Reply(403, {"error": {"type": "security_exception", "reason": "action [cluster:monitor/main] is "
                                   "unauthorized for API key id [k]"}, "status": 403})
    with ScriptedServer() as srv:
        srv.route("GET", "/", denied)
        srv.route("GET", "/_nodes/_local", denied)
        srv.route("GET", "/_resolve/index/ks-logstash-log-*", Reply(200, {
            "indices": [{"name": "ks-logstash-log-2026.01.01", "attributes": ["open"]}], "aliases": [],
            "data_streams": []}))
        srv.route("GET", "/ks-logstash-log-*/_field_caps", Reply(200, CAPS))
        srv.route("POST", "/ks-logstash-log-*/_validate/query", Reply(200, VALID))
        code, lines, out = validate(project(tmp_path), srv.url)
        assert srv.unexpected == [] and srv.unused() == []
    assert code == 1 and len(lines) == 1 and "'kubernetes.pod'" in lines[0], out
