"""Structure of generated watches and monitors against their documented types.

The test servers have no Watcher and no Alerting plugin, so test_live.py proves only the searches.
Here every watch (`PUT _watcher/watch/<id>` body) and every monitor (`POST _plugins/_alerting/monitors`
body) of projects that use every SPEC §1.5 condition the two targets can express, groupBy, realert
and every channel type is validated against tests/schemas/watcher-watch.json (elasticsearch-specification)
and tests/schemas/opensearch-monitor.json (OpenSearch Alerting's model parsers); see their `$comment`.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import textwrap
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from obs.pipeline import build

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
WATCH = Draft202012Validator(json.loads((SCHEMAS / "watcher-watch.json").read_text()))
MONITOR = Draft202012Validator(json.loads((SCHEMAS / "opensearch-monitor.json").read_text()))

# name: (when, extra fields); every alert goes to both targets
ALERTS = {
    "any-line": ("any", {"realert": "15m"}),
    "per-pod": ("count > 20 in 5m", {"groupBy": "kubernetes.pod_name", "realert": "1h30m"}),
    "per-pod-container": ("count >= 5 in 10m", {"groupBy": ["kubernetes.pod_name", "kubernetes.container_name"]}),
    "total-gt": ("count > 20 in 5m", {"realert": "1w"}),
    "total-ge": ("count >= 30 in 5m", {"realert": "90s"}),
    "few-lt": ("count < 40 in 5m", {}),
    "few-le": ("count <= 3 in 1h", {"realert": "2d"}),
    "absent": ("absent for 15m", {}),
    "spike-up": ("spike up x3 in 10m", {}),
    "spike-down": ("spike down x2 in 45m", {}),
    "spike-both": ("spike both x4 in 1h", {}),
    "distinct-gt": ("distinct user.id > 3 in 1h", {}),
    "distinct-lt": ("distinct user.id.keyword < 2 in 1h", {}),
    "avg-gt": ("avg(took_millis) > 2000 in 10m", {}),
    "min-lt": ("min(temp) < -5 in 10m", {}),
    "max-ge": ("max(took_millis) >= 3.5 in 10m", {}),
    "sum-le": ("sum(bytes) <= 100 in 1h", {}),
    "ratio": ("ratio > 5% in 10m", {"match": 'log:"inference slow"'}),
    "map-count": ({"count": {"gt": 20}, "in": "5m"}, {"filter": {"term": {"app": "pay"}}}),
    "map-absent": ({"absent": {"for": "15m"}}, {"filter": [{"term": {"app": "pay"}}, {"exists": {"field": "log"}}]}),
    "map-avg": ({"avg": {"field": "took_millis", "gt": 2000}, "in": "10m"}, {}),
    "unrouted": ("any", {"notify": [], "labels": {"team": "nobody"}}),
}
CHANNELS = {
    # a signing robot (`secret:`) is LG007 for both targets: test_log_semantics.py
    "ding": {"type": "dingtalk", "url": {"env": "DING_URL"}},
    "wecom": {"type": "wecom", "url": {"secret": {"name": "wecom", "key": "url"}}},
    "mail": {"type": "email", "to": ["ops@shop.example.com", "pay@shop.example.com"], "from": "obs@shop.example.com",
             "smarthost": "smtp.shop.example.com:587", "username": "obs", "password": {"env": "SMTP_PASSWORD"}},
    "slack": {"type": "slack", "url": {"env": "SLACK_URL"}, "channel": "#pay"},
    "hook": {"type": "webhook", "url": {"env": "HOOK_URL"}},
    "pager": {"type": "pagerduty", "routingKey": {"env": "PD_KEY"}, "match": {"team": "pay"}},
}


def project(root: Path, defaults: str = "") -> Path:
    alerts = []
    for name, (when, extra) in ALERTS.items():
        alert = {"name": name, "when": when, "severity": ("critical", "warning", "info")[len(alerts) % 3],
                 "summary": f"{name}: 支付异常 — über", "description": "Lines \"quoted\" in the log",
                 "runbook": "https://wiki.example.com/logs", "notify": list(CHANNELS),
                 "labels": {"team": "pay"}, "targets": ["watcher", "opensearch-monitor"], **extra}
        if "filter" not in extra:
            alert["query"] = 'app:pay AND log:"PaymentException"'
        alerts.append(alert)
    (root / "obs.yaml").write_text(textwrap.dedent("""\
        apiVersion: obs/v1
        kind: Project
        metadata: {name: structure}
        spec:
          sources: ["*.yaml"]
          targets: [watcher, opensearch-monitor]
          defaults:
            logs: {index: "logs-obs-*", targets: [watcher, opensearch-monitor]DEFAULTS}
        """).replace("DEFAULTS", defaults))
    service = {"apiVersion": "obs/v1", "kind": "Service", "metadata": {"name": "shop", "team": "pay"},
               "spec": {"logAlerts": alerts}}
    (root / "service.yaml").write_text(json.dumps(service, ensure_ascii=False))
    for name, spec in CHANNELS.items():
        doc = {"apiVersion": "obs/v1", "kind": "Channel", "metadata": {"name": name}, "spec": spec}
        (root / f"channel-{name}.yaml").write_text(json.dumps(doc))
    return root


def compiled(root: Path) -> tuple[dict[str, dict], dict[str, dict]]:
    result = build(root)
    errors = [d.render() for d in result.diags if d.severity.value == "error"]
    assert errors == []
    files = {a.path: json.loads(a.content) for a in result.artifacts if a.path.endswith(".json")}
    watches = {p.split("/")[-1][:-5]: f for p, f in files.items() if p.startswith("watcher/")}
    monitors = {p.split("/")[-1][:-5]: f for p, f in files.items() if p.startswith("opensearch/")}
    names = {f"structure-{n}" for n in ALERTS}
    assert set(watches) == names and set(monitors) == names  # every condition compiled for both targets
    return watches, monitors


@pytest.fixture(scope="module")
def channels_mode(tmp_path_factory):
    return compiled(project(tmp_path_factory.mktemp("structure")))


@pytest.fixture(scope="module")
def alertmanager_mode(tmp_path_factory):
    defaults = ', schedule: 1h30m, alertmanager: ["http://am-0.example:9093", "http://am-1.example:9093/"]'
    return compiled(project(tmp_path_factory.mktemp("structure-am"), defaults))


def problems(validator: Draft202012Validator, doc: dict) -> list[str]:
    """One line per error; for a failed oneOf, the most relevant error inside it rather than the whole value."""
    out = []
    for e in validator.iter_errors(doc):
        e = best_match(e.context) if e.context else e
        out.append(f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:200]}")
    return out


def test_the_schemas_are_valid_draft_2020_12():
    for name in ("watcher-watch.json", "opensearch-monitor.json"):
        Draft202012Validator.check_schema(json.loads((SCHEMAS / name).read_text()))


@pytest.mark.parametrize("mode", ["channels_mode", "alertmanager_mode"])
def test_every_watch_and_monitor_matches_its_documented_type(mode, request):
    watches, monitors = request.getfixturevalue(mode)
    bad = {n: p for n, w in watches.items() if (p := problems(WATCH, w))}
    bad |= {f"monitor {n}": p for n, m in monitors.items() if (p := problems(MONITOR, m))}
    assert bad == {}


def test_the_shop_fixture_and_example_match_too(shop, example_shop):
    checked = {}
    for root in (shop, example_shop):
        for a in build(root).artifacts:
            if a.path.startswith(("watcher/", "opensearch/")) and a.path.endswith(".json"):
                kind = WATCH if a.path.startswith("watcher/") else MONITOR
                checked[f"{root.name}/{a.path}"] = problems(kind, json.loads(a.content))
    assert {p.split("/")[1] for p in checked} == {"watcher", "opensearch"}
    assert {p: e for p, e in checked.items() if e} == {}


def test_the_projects_exercise_every_shape_the_targets_emit(channels_mode, alertmanager_mode):
    watches, monitors = channels_mode
    conditions = {next(iter(w["condition"])) for w in watches.values()}
    assert conditions == {"compare", "script"}
    kinds = {next(k for k in a if k in ("webhook", "email", "logging")) for w in watches.values()
             for a in w["actions"].values()}
    assert kinds == {"webhook", "email", "logging"}
    assert set(watches["structure-per-pod"]["actions"]) == set(CHANNELS)  # every channel type is an action
    assert watches["structure-unrouted"]["actions"]["log"]["logging"]["level"] == "warn"
    aggs = {k for w in watches.values() for k in w["input"]["search"]["request"]["body"].get("aggregations", {})}
    assert aggs == {"groups", "current", "reference", "distinct", "metric", "matched"}
    am_watches, am_monitors = alertmanager_mode
    assert set(am_watches["structure-any-line"]["actions"]) == {"alertmanager-0", "alertmanager-1"}
    assert [a["destination_id"] for a in am_monitors["structure-any-line"]["triggers"][0]["query_level_trigger"]
            ["actions"]] == ["obs-alertmanager"]
    destinations = {a["destination_id"] for m in monitors.values()
                    for a in m["triggers"][0]["query_level_trigger"]["actions"]}
    assert destinations == {f"obs-{c}" for c in CHANNELS}


def test_realert_and_schedule_become_durations_the_servers_parse(channels_mode, alertmanager_mode):
    watches, monitors = channels_mode
    throttle = {n.removeprefix("structure-"): w.get("throttle_period") for n, w in watches.items()}
    # Elasticsearch TimeValue has no `w` and no compound values; 1h30m is 90m, 1w is 7d; `absent` (a warning
    # without realert) has defaults.logs.realert.warning
    assert {k: throttle[k] for k in ("any-line", "per-pod", "total-gt", "total-ge", "few-le", "absent")} == \
        {"any-line": "15m", "per-pod": "90m", "total-gt": "7d", "total-ge": "90s", "few-le": "2d", "absent": "1h"}
    minutes = {n.removeprefix("structure-"): m["triggers"][0]["query_level_trigger"]["actions"][0].get("throttle")
               for n, m in monitors.items() if n != "structure-unrouted"}
    assert monitors["structure-unrouted"]["triggers"][0]["query_level_trigger"]["actions"] == []
    assert minutes["per-pod"] == {"value": 90, "unit": "MINUTES"} and minutes["total-ge"]["value"] == 2
    assert minutes["absent"] == {"value": 60, "unit": "MINUTES"}
    assert watches["structure-any-line"]["trigger"] == {"schedule": {"interval": "1m"}}
    am_watches, am_monitors = alertmanager_mode
    assert am_watches["structure-any-line"]["trigger"] == {"schedule": {"interval": "90m"}}
    assert am_monitors["structure-any-line"]["schedule"] == {"period": {"interval": 90, "unit": "MINUTES"}}


def test_templates_use_paths_the_mustache_engine_resolves(channels_mode):
    """Mustache (Watcher's and OpenSearch's lang-mustache) indexes lists with `.0`; `ctx.results[0]` renders
    nothing. Painless conditions keep `ctx.results[0]`."""
    watches, monitors = channels_mode
    tags = set()
    for m in monitors.values():
        for a in m["triggers"][0]["query_level_trigger"]["actions"]:
            tags |= set(re.findall(r"{{(.*?)}}", a["message_template"]["source"] + a["subject_template"]["source"]))
        assert "ctx.results[0]" in m["triggers"][0]["query_level_trigger"]["condition"]["script"]["source"]
    assert tags == {"ctx.results.0.hits.total.value", "ctx.monitor.name"}
    tags = {t for w in watches.values() for t in re.findall(r"{{(.*?)}}", json.dumps(w["actions"]))}
    assert tags == {"ctx.payload.hits.total", "ctx.watch_id"}
    mail = watches["structure-per-pod"]["actions"]["mail"]["email"]
    assert mail["from"] == "obs@shop.example.com" and mail["to"] == ["ops@shop.example.com", "pay@shop.example.com"]


def test_searches_and_durations_parse_on_the_real_servers(channels_mode, alertmanager_mode, elasticsearch, opensearch):
    """Every watch search runs on Elasticsearch, every monitor search on OpenSearch (an index exists, so the
    shards parse the date math and aggregations), and every throttle_period is a TimeValue Elasticsearch reads."""
    (es, _), (osc, _) = elasticsearch, opensearch
    doc = {"@timestamp": dt.datetime.now(dt.UTC).isoformat(), "app": "pay", "log": "PaymentException",
           "kubernetes": {"pod_name": "p1", "container_name": "c"}, "user": {"id": "u1"}, "took_millis": 5,
           "temp": 1, "bytes": 3}
    es.index(index="logs-obs-structure", document=doc, refresh=True)
    osc.index(index="logs-obs-structure", body=doc, refresh=True)
    failed = {}
    for watches, monitors in (channels_mode, alertmanager_mode):
        for name, w in watches.items():
            if name == "structure-per-pod-container":
                continue  # its terms agg is a Painless script; the test servers have no Painless
            request = w["input"]["search"]["request"]
            try:
                es.search(index=request["indices"], body={**request["body"], "timeout": w.get("throttle_period", "1s")},
                          rest_total_hits_as_int=request["rest_total_hits_as_int"])
            except Exception as e:  # noqa: BLE001 - every failure is reported by name
                failed[f"watch {name}"] = str(e)[:300]
        for name, m in monitors.items():
            if name == "structure-per-pod-container":
                continue
            search = m["inputs"][0]["search"]
            try:
                osc.search(index=",".join(search["indices"]), body=search["query"])
            except Exception as e:  # noqa: BLE001
                failed[f"monitor {name}"] = str(e)[:300]
    assert failed == {}
    spike = channels_mode[0]["structure-spike-down"]["input"]["search"]["request"]["body"]
    assert spike["aggregations"]["reference"]["filter"]["range"]["@timestamp"] == {"gte": "now-90m", "lt": "now-45m"}


# --- the schemas have teeth -------------------------------------------------------------------------

def _watch_mutations(w: dict) -> dict:
    first = next(iter(w["actions"]))
    return {
        "two conditions": lambda d: d["condition"].update({"always": {}}),
        "unknown action type": lambda d: d["actions"][first].update({"teams": {"url": "x"}}) or
        d["actions"][first].pop(next(k for k in d["actions"][first] if k != "teams")),
        "two action types": lambda d: d["actions"][first].update({"logging": {"text": "x"}}),
        "misspelled throttle_period": lambda d: d.update({"throttle_peroid": "5m"}),
        "action_type in an action": lambda d: d["actions"][first].update({"action_type": "webhook"}),
        "week in throttle_period": lambda d: d.update({"throttle_period": "1w"}),
        "compound interval": lambda d: d["trigger"]["schedule"].update({"interval": "1h30m"}),
        "no trigger": lambda d: d.pop("trigger"),
        "two compare ops": lambda d: d.update({"condition": {"compare": {"ctx.payload.x": {"gt": 1, "lt": 9}}}}),
        "unknown compare op": lambda d: d.update({"condition": {"compare": {"ctx.payload.hits.total": {"above": 1}}}}),
        "unknown search request key": lambda d: d["input"]["search"]["request"].update({"index": ["x"]}),
        "unknown body key": lambda d: d["input"]["search"]["request"]["body"].update({"querry": {}}),
        "email without subject": lambda d: d["actions"].update({"m": {"email": {"to": "a@b.c"}}}),
        "webhook method PATCH": lambda d: d["actions"].update({"h": {"webhook": {"method": "patch", "url": "x"}}}),
    }


def _monitor_mutations(m: dict) -> dict:
    def trigger(d):
        return d["triggers"][0]["query_level_trigger"]
    return {
        "misspelled trigger key": lambda d: d["triggers"][0].update({"query_level_triger": trigger(d)}) or
        d["triggers"][0].pop("query_level_trigger"),
        "unknown top-level key": lambda d: d.update({"trigger": []}),
        "throttle in hours": lambda d: trigger(d)["actions"][0].update({"throttle_enabled": True,
                                                                        "throttle": {"value": 1, "unit": "HOURS"}}),
        "throttle enabled without throttle": lambda d: trigger(d)["actions"][0].update({"throttle_enabled": True}) or
        trigger(d)["actions"][0].pop("throttle", None),
        "condition in mustache": lambda d: trigger(d)["condition"]["script"].update({"lang": "mustache"}),
        "period in seconds": lambda d: d["schedule"]["period"].update({"unit": "SECONDS"}),
        "two inputs": lambda d: d["inputs"].append(copy.deepcopy(d["inputs"][0])),
        "action without destination": lambda d: trigger(d)["actions"][0].pop("destination_id"),
        "severity 6": lambda d: trigger(d).update({"severity": "6"}),
        "bucket-level monitor type": lambda d: d.update({"monitor_type": "bucket_level_monitor"}),
        "unknown search source key": lambda d: d["inputs"][0]["search"]["query"].update({"track_total": True}),
    }


@pytest.mark.parametrize("kind", ["watch", "monitor"])
def test_the_schemas_reject_what_watcher_and_alerting_would_refuse(kind, channels_mode):
    validator, doc = (WATCH, channels_mode[0]) if kind == "watch" else (MONITOR, channels_mode[1])
    doc = doc["structure-per-pod"]
    assert problems(validator, doc) == []
    accepted = []
    for what, mutate in (_watch_mutations if kind == "watch" else _monitor_mutations)(doc).items():
        bad = copy.deepcopy(doc)
        mutate(bad)
        if not problems(validator, bad):
            accepted.append(what)
    assert accepted == []


def test_the_schemas_accept_the_documented_examples():
    # specification/watcher/put_watch/examples/request/WatcherPutWatchRequestExample1.yaml
    watch = {
        "trigger": {"schedule": {"cron": "0 0/1 * * * ?"}},
        "input": {"search": {"request": {"indices": ["logstash*"], "body": {"query": {"bool": {
            "must": {"match": {"response": 404}},
            "filter": {"range": {"@timestamp": {"from": "{{ctx.trigger.scheduled_time}}||-5m",
                                                "to": "{{ctx.trigger.triggered_time}}"}}}}}}}}},
        "condition": {"compare": {"ctx.payload.hits.total": {"gt": 0}}},
        "actions": {"email_admin": {"email": {"to": "admin@domain.host.com", "subject": "404 recently encountered"}}},
    }
    assert problems(WATCH, watch) == []
    # the shape of the Alerting API's "Create a query-level monitor" example, in the older unnamed trigger form
    monitor = {
        "type": "monitor", "name": "test-monitor", "monitor_type": "query_level_monitor", "enabled": True,
        "schedule": {"period": {"interval": 1, "unit": "MINUTES"}},
        "inputs": [{"search": {"indices": ["movies"], "query": {"size": 0, "aggregations": {}, "query": {"bool": {
            "filter": {"range": {"@timestamp": {"gte": "{{period_end}}||-1h", "lte": "{{period_end}}",
                                                "format": "epoch_millis"}}}}}}}}],
        "triggers": [{"name": "test-trigger", "severity": "1",
                      "condition": {"script": {"source": "ctx.results[0].hits.total.value > 0", "lang": "painless"}},
                      "actions": [{"name": "test-action", "destination_id": "ld7912sBlQ5JUWWFThoW",
                                   "message_template": {"source": "This is my message body."},
                                   "throttle_enabled": True, "throttle": {"value": 27, "unit": "MINUTES"},
                                   "subject_template": {"source": "TheSubject"}}]}],
    }
    assert problems(MONITOR, monitor) == []
