"""`obs validate` against real Elasticsearch 7.17, 8 and 9 and OpenSearch 2: good log alerts pass, and
each silent failure is one line at the definition — an index expression that resolves to nothing
or only to closed indices, a field that does not exist (did-you-mean), avg() of a keyword, terms
over a text field, a timestamp field that is no date, an invalid Lucene query or filter DSL, a
field mapped differently (or not at all) in some indices, options of a kept ElastAlert rule."""

from __future__ import annotations

import os
import re

import pytest
from helpers import run_obs

from tests.live.search_data import BAD, BAD_LEGACY, GOOD, GOOD_LEGACY, at, load, project

pytestmark = pytest.mark.live

#: the Elasticsearch majors, each its own distribution folder under .cache/search (setup-elasticsearch.sh)
ES_DISTS = ["elasticsearch-7", "elasticsearch", "elasticsearch-9"]
LINE = re.compile(r"^(\S+:\d+:\d+): (error|warning)\[(LV\d+)\]: (.*)$")


@pytest.fixture(scope="session", params=ES_DISTS)
def es(request, search_servers):
    server = search_servers("elasticsearch", request.param)
    load(server)
    return server


@pytest.fixture(scope="session")
def opensearch_server(search_servers):
    server = search_servers("opensearch")
    load(server)
    return server


def validate(root, env: str, es=None, os_=None) -> tuple[int, list[tuple[str, str, str, str]], str]:
    urls = {"T_ES_URL": es.url if es else "http://127.0.0.1:9", "T_OS_URL": os_.url if os_ else "http://127.0.0.1:9"}
    proc = run_obs("validate", "--env", env, cwd=root, env={**os.environ, **urls})
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out, out
    found = [m.groups() for line in out.splitlines() if (m := LINE.match(line))]
    return proc.returncode, found, out


def expected(server: str) -> set[tuple[str, str, str]]:
    """(position, code, a piece of the message) of every finding of BAD/BAD_LEGACY on `server`."""
    b, legacy = BAD, BAD_LEGACY
    ks = f"in ks-logstash-log-* (defaults.logs.index) on {server}"
    search = "watch" if server == "elasticsearch" else "monitor"
    return {
        (at(b, "index: ks-logstash-logs-*", "ks-"), "LV042",
         f"resolves to no index, alias or data stream on {server}; did you mean 'ks-logstash-log-*'?"),
        (at(b, "index: nope-*", "nope"), "LV042", "'nope-*' resolves to no index"),
        (at(b, "kubernetes.pod:", "kubernetes.pod:"), "LV043",
         f"field 'kubernetes.pod' (in the query) does not exist {ks}; did you mean 'kubernetes.pod_name'?"),
        (at(b, "avg(duration)", "duration"), "LV044", f"field 'duration' is keyword {ks}, avg() needs a numeric field"),
        (at(b, "groupBy: kubernetes.pod_name", "kubernetes"), "LV044",
         f"'kubernetes.pod_name' is text {ks}, groupBy (ElastAlert aggregates by it) needs an aggregatable field"),
        (at(b, "distinct user.id", "user.id"), "LV043",
         f"field 'user.id.keyword' (distinct (the {search}'s cardinality aggregation)) does not exist {ks}"),
        (at(b, "timestampField: time", "time", last=True), "LV044",
         f"field 'time' is keyword {ks}, the timestamp field needs a date field"),
        (at(b, "query: 'log:(Pay", "'log"), "LV045",
         f"the query is not valid {ks}: Cannot parse 'log:(PaymentException AND'"),
        (at(b, "filter: {bogus", "{"), "LV045", f"the filter is not valid on {server}: unknown query [bogus]"),
        (at(b, "term: {took_millis: abc}", "term"), "LV045", 'failed to create query: For input string: "abc"'),
        (at(b, "avg(took)", "took"), "LV044", f"field 'took' is long in some indices of vmixed-* on {server} but "
                                              "keyword in 1 (vmixed-b); avg() needs a numeric field in every index"),
        (at(b, "query: 'span:x'", "span"), "LV043",
         f"field 'span' (in the query) is not mapped in 1 of 2 indices of vmixed-* on {server} (vmixed-b)"),
        (at(b, "index: vclosed-*", "vclosed"), "LV042",
         f"resolves only to closed indices on {server} (vclosed-2026.01.01)"),
        (at(legacy, "metric_agg_key: duration", "duration", file="legacy.yaml"), "LV044",
         f"field 'duration' is keyword in ks-logstash-log-* on {server}, metric_agg_key needs a numeric field"),
        (at(legacy, "kubernetes.container_nam:", "kubernetes", file="legacy.yaml"), "LV043",
         f"field 'kubernetes.container_nam' (in the filter) does not exist in ks-logstash-log-* on {server}; "
         "did you mean 'kubernetes.container_name'?"),
    }


def assert_findings(found, want: set[tuple[str, str, str]]) -> None:
    """Every expected finding at its position, and no other finding there or anywhere."""
    got = {(pos, code) for pos, _sev, code, _msg in found if code != "LV046"}
    assert got == {(pos, code) for pos, code, _ in want}
    for pos, code, piece in want:
        messages = [msg for p, _s, c, msg in found if (p, c) == (pos, code)]
        assert any(piece in m for m in messages), (pos, code, piece, messages)


def test_good_log_alerts_pass_on_elasticsearch(es, tmp_path):
    code, found, out = validate(project(tmp_path, GOOD, GOOD_LEGACY), "es", es=es)
    assert (code, found) == (0, []), out
    assert "1 checks ran" in out and "skipped (no opensearch in environment 'es'): search/opensearch" in out


def test_each_silent_failure_is_found_on_elasticsearch(es, tmp_path):
    code, found, out = validate(project(tmp_path, BAD, BAD_LEGACY), "es", es=es)
    assert code == 1, out
    assert_findings(found, expected("elasticsearch"))
    assert [sev for _pos, sev, _c, msg in found if "'span'" in msg] == ["warning"]


def test_good_log_alerts_pass_on_opensearch(opensearch_server, tmp_path):
    code, found, out = validate(project(tmp_path, GOOD, GOOD_LEGACY), "os", os_=opensearch_server)
    assert (code, found) == (0, []), out


def test_each_silent_failure_is_found_on_opensearch(opensearch_server, tmp_path):
    """With only `opensearch:` in the environment, ElastAlert rules are validated there too (and
    monitors instead of watches)."""
    code, found, out = validate(project(tmp_path, BAD, BAD_LEGACY), "os", os_=opensearch_server)
    assert code == 1, out
    assert_findings(found, expected("opensearch"))


def test_with_both_servers_watches_go_to_elasticsearch_and_monitors_to_opensearch(search_servers,
                                                                                   opensearch_server, tmp_path):
    es = search_servers("elasticsearch")
    load(es)
    code, found, out = validate(project(tmp_path, BAD, BAD_LEGACY), "both", es=es, os_=opensearch_server)
    assert code == 1 and "2 checks ran" in out, out
    typo = {msg.split(" on ")[1].split(";")[0] for _p, _s, c, msg in found if "'user.id.keyword'" in msg}
    assert typo == {"elasticsearch", "opensearch"}  # the watch's and the monitor's aggregation, each on its server
    servers = {m.group(1) for _p, _s, _c, msg in found if "'terms-text'" in msg for m in [re.search(r" on (\w+)", msg)]}
    assert servers == {"elasticsearch"}  # an ElastAlert-only alert goes to Elasticsearch when there is one


def test_an_elasticsearch_entry_that_answers_as_opensearch_is_a_warning(opensearch_server, tmp_path):
    root = project(tmp_path, GOOD)
    code, found, out = validate(root, "os-as-es", os_=opensearch_server)
    assert code == 0, out
    assert [(pos, sev, c) for pos, sev, c, _ in found] == [(at((root / "obs.yaml").read_text(),
                                                               "elasticsearch: {url: {env: T_OS_URL}}", "{env",
                                                               file="obs.yaml"), "warning", "LV046")]
    assert "answers as OpenSearch 2." in found[0][3]
