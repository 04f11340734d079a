"""`obs backtest` of log alerts against a real Elasticsearch (watches) and a real OpenSearch
(monitors) holding log lines at known times: each condition kind fires at the runs (every minute)
whose window holds what the condition asks, whichever server holds the history."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
import requests

from helpers import run_obs
from tests.backtest.history import T0

pytestmark = pytest.mark.live
INDEX = "bt-logs-1"
NOW = T0 + 120 * 60
M = 60


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def documents() -> list[dict]:
    docs = [{"@timestamp": _iso(T0 + 30 * M + 4 * i), "log": "PaymentException in checkout",
             "pod": f"checkout-{i % 3}"}
            for i in range(30)]
    docs.append({"@timestamp": _iso(T0 + 50 * M + 10), "log": "Fatal error"})
    docs += [{"@timestamp": _iso(T0 + m * M + 30), "log": "heartbeat"} for m in range(-20, 130) if not 60 <= m < 80]
    docs += [{"@timestamp": _iso(T0 + m * M + 15), "log": "Timeout calling bank", "took_millis": 100}
             for m in range(-30, 130)]
    docs += [{"@timestamp": _iso(T0 + m * M + 20 + 5 * k), "log": "Timeout calling bank", "took_millis": 5000}
             for m in range(90, 100) for k in range(5)]
    return docs


SERVICE = """apiVersion: obs/v1
kind: Service
metadata: {name: pay, team: payments}
spec:
  logAlerts:
    - {name: pay-burst, query: 'log:"PaymentException"', when: count > 20 in 5m, severity: critical, summary: s}
    - {name: fatal, query: 'log:"Fatal"', when: any, severity: warning, summary: s}
    - {name: heartbeat-lost, query: 'log:"heartbeat"', when: absent for 10m, severity: critical, summary: s}
    - {name: timeout-spike, query: 'log:"Timeout"', when: spike up x3 in 10m, severity: warning, summary: s}
    - {name: per-pod, query: 'log:"PaymentException"', when: count > 5 in 5m, groupBy: pod, severity: warning,
       summary: s}
    - {name: many-pods, query: 'log:"PaymentException"', when: distinct pod > 2 in 5m, severity: info, summary: s}
    - name: bank-share
      query: 'log:"Timeout" OR log:"heartbeat"'
      match: 'log:"Timeout"'
      when: ratio > 80% in 10m
      severity: info
      summary: s
    - {name: slow-bank, query: 'log:"Timeout"', when: max(took_millis) > 2000 in 5m, severity: info, summary: s}
"""


#: the server kind, and the log target whose alerts are replayed on it
SERVERS = {"elasticsearch": "watcher", "opensearch": "opensearch-monitor"}


@pytest.fixture(scope="module", params=sorted(SERVERS))
def root(request, tmp_path_factory, search_servers):
    kind, target = request.param, SERVERS[request.param]
    es = search_servers(kind)
    http = requests.Session()
    http.delete(f"{es.url}/{INDEX}", timeout=60)
    r = http.put(f"{es.url}/{INDEX}", json={"settings": {"number_of_shards": 1, "number_of_replicas": 0},
                                            "mappings": {"properties": {"@timestamp": {"type": "date"},
                                                                        "took_millis": {"type": "long"}}}},
                 timeout=60)
    assert r.status_code == 200, r.text
    bulk = "".join(json.dumps({"index": {"_index": INDEX}}) + "\n" + json.dumps(d) + "\n" for d in documents())
    r = http.post(f"{es.url}/_bulk?refresh=true", data=bulk, headers={"Content-Type": "application/x-ndjson"},
                  timeout=120)
    assert r.status_code == 200 and not r.json()["errors"], r.text[:2000]
    root = tmp_path_factory.mktemp("logs")
    (root / "obs.yaml").write_text(f"""apiVersion: obs/v1
kind: Project
metadata: {{name: btlogs}}
spec:
  sources: ["*.yaml"]
  targets: [elastalert, {target}]
  defaults:
    logs: {{index: "bt-logs-*", targets: [elastalert, {target}]}}
  environments:
    test:
      {kind}: {{url: "{es.url}"}}
""")
    (root / "pay.yaml").write_text(SERVICE)
    yield root
    http.delete(f"{es.url}/{INDEX}", timeout=60)


@pytest.fixture(scope="module")
def firings(root):
    result = run_obs("backtest", "--env", "test", "--since", "2h", "--now", str(NOW), "--format", "json",
                     cwd=root)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    out: dict[str, list[tuple[float, float]]] = {}
    for f in doc["firings"]:
        start = datetime.fromisoformat(f["start"].replace("Z", "+00:00")).timestamp()
        end = datetime.fromisoformat(f["end"].replace("Z", "+00:00")).timestamp()
        out.setdefault(f["alert"], []).append(((start - T0) / M, (end - T0) / M))
        if f["alert"] == "per-pod":
            out.setdefault("per-pod labels", []).append(f["labels"]["pod"])
        assert f["labels"]["severity"] in ("critical", "warning", "info")
    return out


def test_frequency_fires_while_five_minutes_hold_more_than_20_lines(firings):
    assert firings["pay-burst"] == [(32, 36)]


def test_any_fires_at_the_run_after_the_line(firings):
    assert firings["fatal"] == [(51, 52)]


def test_flatline_fires_ten_minutes_into_the_silence_and_ends_at_the_first_line(firings):
    assert firings["heartbeat-lost"] == [(70, 81)]


def test_spike_fires_when_ten_minutes_hold_three_times_the_ten_before(firings):
    assert firings["timeout-spike"] == [(94, 102)]


def test_metric_aggregation_fires_while_the_window_holds_a_slow_call(firings):
    assert firings["slow-bank"] == [(91, 105)]


def test_cardinality_fires_while_five_minutes_hold_three_pods(firings):
    assert firings["many-pods"] == [(31, 37)]


def test_percentage_match_fires_while_timeouts_are_over_80_percent_of_the_lines(firings):
    assert firings["bank-share"] == [(68, 83), (97, 104)]


def test_group_by_fires_once_per_group_that_holds_the_condition(firings):
    assert firings["per-pod"] == [(32, 36)] * 3  # 10 lines a pod in two minutes; 5 in each half
    assert sorted(firings["per-pod labels"]) == ["checkout-0", "checkout-1", "checkout-2"]
