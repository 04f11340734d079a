"""Which fields a compiled log alert names and what it needs of each (no server): Lucene query
strings, query DSL, aggregations, and the options ElastAlert 2 reads, as ElastAlert runs them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from obs.live.search import ServerInfo, Validation, reason
from obs.logs.fields import AGGREGATABLE, DATE, EXISTS, NUMERIC, ORDERED, agg_uses, dsl_uses, lucene_fields
from obs.logs.uses import elastalert, search


@pytest.mark.parametrize("query, fields", [
    ('kubernetes.namespace_name:"shop" AND log:"a:b c"', [("kubernetes.namespace_name", 0), ("log", 37)]),
    ("kubernetes\\.pod_name:x OR (level:[1 TO 5] AND -user.id:u1)", [("kubernetes.pod_name", 0), ("level", 27),
                                                                      ("user.id", 47)]),
    ("_exists_:trace.id AND NOT status:>=500", [("trace.id", 9), ("status", 26)]),
    ("PaymentException OR timeout", []),  # the default field: nothing named
    ("kubernetes.\\*:shop", [("kubernetes.*", 0)]),
    ("path:/var\\/log:x/ AND a:1", [("path", 0), ("a", 22)]),  # a regular expression is skipped
    ("_id:1 AND _index:x", []),  # the server's own fields
    ('msg:"unclosed', [("msg", 0)]),
])
def test_lucene_fields_are_found_with_their_offsets(query, fields):
    assert lucene_fields(query) == fields


def test_query_dsl_names_fields_by_key_and_by_value():
    clause = {"bool": {"filter": [{"term": {"kubernetes.namespace_name.keyword": "shop"}},
                                  {"range": {"@timestamp": {"gte": "now-5m"}, "boost": 2}}],
                       "must_not": {"exists": {"field": "error"}},
                       "should": [{"match_phrase": {"log": {"query": "a b"}}},
                                  {"multi_match": {"query": "x", "fields": ["title^2", "body"]}}]}}
    got = [(u.field, u.need) for u in dsl_uses(clause, "in the filter", "@timestamp")]
    assert got == [("kubernetes.namespace_name.keyword", EXISTS), ("@timestamp", DATE), ("log", EXISTS),
                   ("title", EXISTS), ("body", EXISTS), ("error", EXISTS)]


def test_aggregations_need_aggregatable_numeric_or_ordered_fields():
    aggs = {"g": {"terms": {"script": {"source": "doc['a.keyword'].value + '|' + doc[\"b\"].value"}},
                  "aggs": {"m": {"avg": {"field": "took"}}, "t": {"max": {"field": "@timestamp"}}}},
            "d": {"cardinality": {"field": "user.keyword"}},
            "f": {"filter": {"query_string": {"query": "log:x"}}}}
    got = [(u.field, u.need) for u in agg_uses(aggs, {}) if hasattr(u, "need")]
    assert got == [("a.keyword", AGGREGATABLE), ("b", AGGREGATABLE), ("took", NUMERIC), ("@timestamp", ORDERED),
                   ("user.keyword", AGGREGATABLE)]


def entry(raw=True, **spec):
    fields = {"query": None, "match": None, "filter": None, "index": "x-*", "timestampField": None} | spec
    return SimpleNamespace(name="r", raw={} if raw else None, timestamp_field="@timestamp",
                           spec=SimpleNamespace(**fields))


def uses(asks):
    return [(role, u.field, u.need) for role, u in asks.uses]


def test_elastalert_options_as_elastalert_runs_them():
    rule = {"name": "r", "type": "new_term", "index": "logstash-%Y.%m.%d", "use_strftime_index": True,
            "timestamp_field": "ts", "timestamp_type": "unix_ms", "fields": ["error.code", ["host", "app.keyword"]],
            "query_key": "host", "filter": [{"query": {"query_string": {"query": "level:ERROR"}}}],
            "top_count_keys": ["user"]}
    asks = elastalert(entry(), rule)
    assert asks.index == "logstash-*.*.*"  # what ElastAlert fills in, as a pattern
    assert uses(asks) == [
        ("raw:timestamp_field", "ts", ORDERED),  # unix_ms: a number or a date
        ("raw:filter", "level", EXISTS),  # the older `- query:` wrapper unwrapped, as ElastAlert's get_query does
        ("raw:query_key", "host", EXISTS),  # new_term reads it from each hit
        ("raw:fields", "error.code.keyword", AGGREGATABLE), ("raw:fields", "host.keyword", AGGREGATABLE),
        ("raw:fields", "app.keyword", AGGREGATABLE),  # use_keyword_postfix (default on), composite keys too
        ("raw:top_count_keys", "user.keyword", AGGREGATABLE)]  # raw_count_keys
    assert [q.clause for q in asks.queries] == [{"query_string": {"query": "level:ERROR"}}]


def test_elastalert_aggregates_by_query_key_only_for_aggregation_types():
    metric = {"type": "metric_aggregation", "index": "x-*", "metric_agg_key": "took", "metric_agg_type": "max",
              "query_key": ["pod", "ns"]}
    assert uses(elastalert(entry(), metric))[1:] == [("raw:query_key", "pod", AGGREGATABLE),
                                                     ("raw:query_key", "ns", AGGREGATABLE),
                                                     ("raw:metric_agg_key", "took", ORDERED)]
    frequency = {"type": "frequency", "index": "x-*", "query_key": "pod", "use_keyword_postfix": False}
    assert uses(elastalert(entry(), frequency))[1:] == [("raw:query_key", "pod", EXISTS)]
    terms = {**frequency, "use_terms_query": True}
    assert uses(elastalert(entry(), terms))[1:] == [("raw:query_key", "pod", AGGREGATABLE)]
    compare = {"type": "blacklist", "index": "x-*", "compare_key": ["user", "host"]}
    assert uses(elastalert(entry(), compare))[1:] == [("raw:compare_key", "user", EXISTS),
                                                      ("raw:compare_key", "host", EXISTS)]


def test_a_watch_names_the_fields_of_its_query_window_and_aggregations():
    body = {"size": 0, "query": {"bool": {"filter": [{"query_string": {"query": "app:pay"}},
                                                     {"range": {"@timestamp": {"gte": "now-5m"}}}]}},
            "aggregations": {"groups": {"terms": {"field": "pod.keyword", "size": 10}},
                             "matched": {"filter": {"query_string": {"query": "log:slow"}}}}}
    asks = search(entry(raw=False, query="app:pay", match="log:slow"), "watcher", ["a-*", "b-*"], body)
    assert asks.index == "a-*,b-*"
    assert uses(asks) == [("timestamp", "@timestamp", DATE), ("query", "app", EXISTS),
                          ("groupBy", "pod.keyword", AGGREGATABLE), ("match", "log", EXISTS)]
    assert [(q.role, q.clause) for q in asks.queries] == [
        ("query", {"query_string": {"query": "app:pay"}}), ("match", {"query_string": {"query": "log:slow"}})]
    assert asks.uses[0][1].what == "the timestamp field (defaults.logs.timestampField)"  # where it comes from


@pytest.mark.parametrize("error, readable", [
    # Elasticsearch 8/9
    ("[logs/KQOd] org.elasticsearch.index.query.QueryShardException: Failed to parse query [log:(a AND]; "
     "org.apache.lucene.queryparser.classic.ParseException: Cannot parse 'log:(a AND': Encountered \"<EOF>\" at "
     "line 1, column 10.\nWas expecting one of:",
     "Cannot parse 'log:(a AND': Encountered \"<EOF>\" at line 1, column 10."),
    # Elasticsearch 7 and OpenSearch
    ("[logs/5pAj] QueryShardException[failed to create query: For input string: \"abc\"]; nested: "
     "NumberFormatException[For input string: \"abc\"];; java.lang.NumberFormatException: For input string: \"abc\"",
     "failed to create query: For input string: \"abc\""),
    ("ParsingException[unknown query [bogus]]; nested: NamedObjectNotFoundException[[1:21] unknown field [bogus]];",
     "unknown query [bogus]"),
    ('{"error":{"root_cause":[{"type":"parsing_exception","reason":"[term] query malformed"}]},"status":400}',
     "[term] query malformed"),
])
def test_validate_errors_are_read_the_same_on_every_version(error, readable):
    assert reason(error) == readable


def test_unmapped_fields_are_those_every_index_rewrites_to_nothing():
    v = Validation(True, None, (("a", True, '+MatchNoDocsQuery("unmapped fields [x, y]") +log:z'),
                                ("b", True, 'MatchNoDocsQuery("unmapped fields [x]")')))
    assert v.unmapped() == {"x"}


def test_which_apis_a_version_has():
    assert ServerInfo("elasticsearch", (7, 8, 1)).has_resolve is False
    assert ServerInfo("elasticsearch", (7, 9, 0)).has_resolve is True
    assert ServerInfo("opensearch", (1, 0, 0)).has_resolve is True
    assert ServerInfo("elasticsearch", (7, 1, 1)).has_include_unmapped is False
    assert ServerInfo(None).has_resolve is True  # not told: ask, as every supported version can
