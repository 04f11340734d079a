"""ElastAlert 2 rules read as LogAlerts: each type onto the condition grammar where it fits,
passed through otherwise; the rule as written stays with the entry."""

from __future__ import annotations

import pytest
from foreign_helpers import errors

from obs.logs.condition import Condition, parse_condition

BASE = """name: {name}
type: {type}
index: ks-logstash-log-*
filter:
  - query:
      query_string:
        query: 'log:"ERROR"'
alert: [post]
http_post_url: http://relay/elastalert
{options}
"""

CASES = [
    ("frequency", "num_events: 20\ntimeframe: {minutes: 5}", "count >= 20 in 5m"),
    ("flatline", "threshold: 3\ntimeframe: {hours: 1}", "count < 3 in 1h"),
    ("spike", "spike_height: 3\nspike_type: up\ntimeframe: {minutes: 10}", "spike up x3 in 10m"),
    ("new_term", "fields: [error.code]", "new value of error.code"),
    ("cardinality", "cardinality_field: user.id\nmax_cardinality: 100\ntimeframe: {hours: 1}",
     "distinct user.id > 100 in 1h"),
    ("cardinality", "cardinality_field: user.id\nmin_cardinality: 2\ntimeframe: {minutes: 90}",
     "distinct user.id < 2 in 90m"),
    ("metric_aggregation", "metric_agg_key: took\nmetric_agg_type: avg\nmax_threshold: 2000\n"
                           "buffer_time: {minutes: 10}", "avg(took) > 2000 in 10m"),
    ("percentage_match", "match_bucket_filter:\n  - query_string: {query: 'log:slow'}\nmax_percentage: 5\n"
                         "buffer_time: {minutes: 10}", "ratio > 5% in 10m"),
    ("any", "", "any"),
]


@pytest.mark.parametrize("kind,options,when", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_types_onto_the_grammar(project, kind, options, when):
    result = project({"rule.yaml": BASE.format(name="Java OOM", type=kind, options=options)})
    assert errors(result) == []
    (entry,) = result.catalog.log_alerts
    assert entry.spec.when == when
    assert isinstance(parse_condition(entry.spec.when), Condition)  # the grammar's own parser accepts it
    assert entry.name == "java-oom" and entry.service is None
    assert entry.spec.query == 'log:"ERROR"' and entry.spec.filter is None
    assert entry.spec.severity == "warning" and entry.spec.summary == "Java OOM"
    assert entry.targets == ("elastalert",)
    assert entry.raw["http_post_url"] == "http://relay/elastalert"  # the rule as written travels along
    assert entry.origin.format == "elastalert"
    if kind == "percentage_match":
        assert entry.spec.match == "log:slow"


PASSTHROUGH = [
    ("spike", "spike_height: 3\nspike_type: up\ntimeframe: {minutes: 10}\nthreshold_cur: 5"),
    ("blacklist", "compare_key: user\nblacklist: [root]"),
    ("new_term", "fields: [error.code]\nterms_window_size: {days: 1}"),
    ("metric_aggregation", "metric_agg_key: took\nmetric_agg_type: avg\nmax_threshold: 2000\nmin_threshold: 1\n"
                           "buffer_time: {minutes: 10}"),
]


@pytest.mark.parametrize("kind,options", PASSTHROUGH, ids=[c[0] for c in PASSTHROUGH])
def test_what_the_grammar_cannot_say_is_passed_through(project, kind, options):
    result = project({"rule.yaml": BASE.format(name="r", type=kind, options=options)})
    assert errors(result) == []
    (entry,) = result.catalog.log_alerts
    body = entry.spec.when["elastalert"]
    assert body["type"] == kind
    written = {k: v for k, v in entry.raw.items() if k in body and k != "type"}
    assert written and all(body[k] == v for k, v in written.items())
    assert parse_condition(entry.spec.when).kind == "elastalert"


def test_filters_realert_query_key_and_subject(project):
    rule = """name: slow-queries
type: frequency
index: app-*
num_events: 5
timeframe: {minutes: 5}
query_key: [service, host]
realert: {minutes: 30}
alert_subject: Slow queries on {0}
description: Too many slow queries
timestamp_field: time
filter:
  - term: {level: ERROR}
  - range: {took: {gt: 1000}}
alert: [email]
"""
    (entry,) = project({"rule.yaml": rule}).catalog.log_alerts
    assert entry.spec.filter == [{"term": {"level": "ERROR"}}, {"range": {"took": {"gt": 1000}}}]
    assert entry.spec.query is None
    assert entry.spec.group_by == ["service", "host"]
    assert entry.spec.realert == "30m"
    assert entry.spec.summary == "Slow queries on {0}" and entry.spec.description == "Too many slow queries"
    assert entry.timestamp_field == "time"
    assert entry.index == "app-*"
