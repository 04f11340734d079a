"""Every SPEC §1.5 condition compiled, loaded by ElastAlert 2's own loader, and run on real servers.

Documents are indexed into a real Elasticsearch (and OpenSearch) relative to now; each ElastAlert
rule's query (built by ElastAlert's own `get_query` from the loaded rule) must hit the expected
documents, and each watch's and monitor's search must make its condition fire or not. The test
servers are minimal distributions without Watcher, the Alerting plugin or Painless, so the
condition is judged by obs.logs.search.evaluate, the Python twin of the generated script/compare.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import pytest
from servers import elastalert_load

from obs.logs.condition import parse_condition
from obs.logs.search import evaluate
from obs.pipeline import build

INDEX = "logs-obs-2026.01.01"
# name: (when, query, extra, ElastAlert class, ElastAlert options, hits of its query, fires)
ALERTS = {
    "pay-per-pod": ("count > 20 in 5m", 'app:pay AND log:"PaymentException"', {"groupBy": "pod"},
                    "FrequencyRule", {"num_events": 21, "query_key": "pod"}, 30, True),
    "pay-total": ("count >= 30 in 5m", 'app:pay', {}, "FrequencyRule", {"num_events": 30}, 30, True),
    "pay-total-high": ("count > 30 in 5m", 'app:pay', {}, "FrequencyRule", {"num_events": 31}, 30, False),
    "pay-any": ("any", 'app:pay', {}, "AnyRule", {}, None, True),
    "order-absent": ("absent for 15m", 'app:order', {}, "FlatlineRule", {"threshold": 1}, 0, True),
    "pay-absent": ("absent for 15m", 'app:pay', {}, "FlatlineRule", {"threshold": 1}, 30, False),
    "pay-few": ("count < 40 in 5m", 'app:pay', {}, "FlatlineRule", {"threshold": 40}, 30, True),
    "spiky-up": ("spike up x3 in 10m", 'app:spiky', {}, "SpikeRule", {"spike_height": 3, "spike_type": "up"}, 8, True),
    "spiky-up-5": ("spike up x5 in 10m", 'app:spiky', {}, "SpikeRule", {"spike_height": 5}, 8, False),
    "gone-down": ("spike down x2 in 10m", 'app:gone', {}, "SpikeRule", {"spike_type": "down", "threshold_ref": 1},
                  0, True),  # logs stopped: the deepest dip
    "auth-users": ("distinct user.id > 3 in 1h", 'app:auth', {}, "CardinalityRule",
                   {"cardinality_field": "user.id", "max_cardinality": 3}, 6, True),
    "auth-users-5": ("distinct user.id > 5 in 1h", 'app:auth', {}, "CardinalityRule", {"max_cardinality": 5}, 6, False),
    "slow-avg": ("avg(took_millis) > 2000 in 10m", 'app:slow', {}, "MetricAggregationRule",
                 {"metric_agg_key": "took_millis", "metric_agg_type": "avg", "max_threshold": 2000}, 3, True),
    "slow-avg-3000": ("avg(took_millis) > 3000 in 10m", 'app:slow', {}, "MetricAggregationRule",
                      {"max_threshold": 3000}, 3, False),
    "rec-ratio": ("ratio > 5% in 10m", 'app:rec', {"match": 'log:"inference slow"'}, "PercentageMatchRule",
                  {"max_percentage": 5}, 20, True),
    "rec-ratio-20": ("ratio > 20% in 10m", 'app:rec', {"match": 'log:"inference slow"'}, "PercentageMatchRule",
                     {"max_percentage": 20}, 20, False),
    "new-codes": ("new value of error.code", 'app:pay', {"targets": ["elastalert"]}, "NewTermsRule",
                  {"fields": ["error.code"]}, 30, None),
}


def documents(now: dt.datetime) -> list[dict]:
    def at(seconds_ago: float, **doc) -> dict:
        return {"@timestamp": (now - dt.timedelta(seconds=seconds_ago)).isoformat(), **doc}
    docs = [at(20 + i * 5, app="pay", pod="p1", log="PaymentException at checkout", error={"code": f"E{i % 3}"})
            for i in range(25)]
    docs += [at(40 + i * 10, app="pay", pod="p2", log="PaymentException at refund") for i in range(5)]
    docs += [at(30 + i * 60, app="spiky", log="ERROR") for i in range(8)]           # current 10m: 8
    docs += [at(700 + i * 120, app="spiky", log="ERROR") for i in range(2)]         # the 10m before: 2
    docs += [at(700 + i * 60, app="gone", log="ERROR") for i in range(3)]           # only the 10m before
    docs += [at(60 * (i + 1), app="auth", user={"id": f"u{min(i, 4)}"}) for i in range(6)]  # 5 users
    docs += [at(60 * (i + 1), app="slow", took_millis=v) for i, v in enumerate((1000, 3000, 4000))]   # avg 2666
    docs += [at(25 * (i + 1), app="rec", log="inference slow" if i < 2 else "inference ok") for i in range(20)]
    docs += [at(7200, app="order", log="old line")]                                  # outside every window
    return docs


def project(root: Path) -> Path:
    alerts = []
    for name, (when, query, extra, *_rest) in ALERTS.items():
        alert = {"name": name, "query": query, "when": when, "severity": "warning",
                 "summary": f"{name}: 支付异常 — über", "notify": ["team-hook"], **extra}
        if "targets" not in extra:
            alert["targets"] = ["elastalert", "watcher", "opensearch-monitor"]
        alerts.append(alert)
    (root / "obs.yaml").write_text(textwrap.dedent("""\
        apiVersion: obs/v1
        kind: Project
        metadata: {name: logtest}
        spec:
          sources: ["*.yaml"]
          targets: [elastalert, watcher, opensearch-monitor]
          defaults:
            logs: {index: "logs-obs-*", targets: [elastalert]}
        """))
    service = {"apiVersion": "obs/v1", "kind": "Service", "metadata": {"name": "shop", "team": "pay"},
               "spec": {"logAlerts": alerts}}
    channel = {"apiVersion": "obs/v1", "kind": "Channel", "metadata": {"name": "team-hook"},
               "spec": {"type": "webhook", "url": {"env": "TEAM_HOOK_URL"}}}
    (root / "service.yaml").write_text(json.dumps(service, ensure_ascii=False))
    (root / "channel.yaml").write_text(json.dumps(channel))
    return root


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    root = project(tmp_path_factory.mktemp("logtest"))
    result = build(root)
    errors = [d.render() for d in result.diags if d.severity.value == "error"]
    assert errors == []
    out = root / "out"
    for a in result.artifacts:
        (out / a.path).parent.mkdir(parents=True, exist_ok=True)
        (out / a.path).write_bytes(a.content)
    return result, out


@pytest.fixture(scope="module")
def indexed(elasticsearch, opensearch):
    now = dt.datetime.now(dt.UTC)
    for client, _ in (elasticsearch, opensearch):
        for doc in documents(now):
            client.index(index=INDEX, body=doc) if client.__class__.__name__ == "OpenSearch" else \
                client.index(index=INDEX, document=doc)
        client.indices.refresh(index=INDEX)
    return elasticsearch, opensearch


def test_every_rule_loads_in_elastalert_with_the_intended_type_and_options(compiled, indexed):
    _, out = compiled
    (es, server), _ = indexed
    loaded = elastalert_load(sorted((out / "elastalert").glob("*.yaml")), port=server.port,
                             env={"TEAM_HOOK_URL": "http://hook.invalid/x"})
    assert set(loaded) == {f"{n}.yaml" for n in ALERTS}
    for name, (_, _, _, cls, options, hits, _) in ALERTS.items():
        got = loaded[f"{name}.yaml"]
        assert "error" not in got, (name, got)
        assert got["class"] == cls, name
        for key, value in options.items():
            assert got["rule"][key] == value, (name, key)
        assert got["alerters"][0]["class"] == "HTTPPost2Alerter"
        # ${TEAM_HOOK_URL} is expanded by ElastAlert itself when it reads the rule
        assert got["alerters"][0]["options"]["http_post2_url"] == "http://hook.invalid/x"
        assert "支付异常 — über" in got["rule"]["alert_text"]
        if hits is not None:
            found = es.search(index="logs-obs-*", body={**got["query"], "size": 0, "track_total_hits": True})
            assert found["hits"]["total"]["value"] == hits, name
    ratio = loaded["rec-ratio.yaml"]["rule"]["match_bucket_filter"]
    matched = es.count(index="logs-obs-*", body={"query": {"bool": {"filter": [*ratio, {"match": {"app": "rec"}}]}}})
    assert matched["count"] == 2


def _judge(result, name, response):
    entry = next(e for e in result.catalog.log_alerts if e.name == name)
    return evaluate(entry, parse_condition(entry.spec.when), response)


def test_watch_searches_fire_exactly_when_they_should_on_elasticsearch(compiled, indexed):
    result, out = compiled
    (es, _), _ = indexed
    for name, (*_, fires) in ALERTS.items():
        path = out / "watcher" / f"logtest-{name}.json"
        if fires is None:
            assert not path.exists()
            continue
        watch = json.loads(path.read_text())
        request = watch["input"]["search"]["request"]
        response = es.search(index=",".join(request["indices"]), body=request["body"],
                             rest_total_hits_as_int=request["rest_total_hits_as_int"])
        assert isinstance(response["hits"]["total"], int)  # what ctx.payload.hits.total compares
        assert _judge(result, name, response) is fires, name
        assert watch["metadata"]["obs"]["source"].startswith("service.yaml:")


def test_monitor_searches_fire_exactly_when_they_should_on_opensearch(compiled, indexed):
    result, out = compiled
    _, (client, _) = indexed
    for name, (*_, fires) in ALERTS.items():
        path = out / "opensearch" / f"logtest-{name}.json"
        if fires is None:
            assert not path.exists()
            continue
        monitor = json.loads(path.read_text())
        search = monitor["inputs"][0]["search"]
        response = client.search(index=",".join(search["indices"]), body=search["query"])
        assert _judge(result, name, response) is fires, name
        assert "ctx.results[0]" in monitor["triggers"][0]["query_level_trigger"]["condition"]["script"]["source"]


def test_new_value_is_an_error_naming_the_target(tmp_path):
    root = project(tmp_path)
    text = (root / "service.yaml").read_text().replace('"targets": ["elastalert"]',
                                                      '"targets": ["elastalert", "watcher"]')
    (root / "service.yaml").write_text(text)
    diags = [d for d in build(root).diags if d.code == "LG002"]
    assert len(diags) == 1 and "target watcher cannot express `new value of error.code`" in diags[0].message
    assert diags[0].pos.file == "service.yaml"
