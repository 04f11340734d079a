"""Indices with a known mapping (KubeSphere's log fields and a few traps) written into a real
Elasticsearch or OpenSearch over plain HTTP — the same requests on 7.17, 8, 9 and OpenSearch 2 —
and the projects of log alerts that `obs validate` is run on in test_search_live.py."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import requests

TEXT_KW = {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}}
MAPPING = {"properties": {
    "@timestamp": {"type": "date"}, "time": {"type": "keyword"}, "log": {"type": "text"},
    "kubernetes": {"properties": {"namespace_name": TEXT_KW, "pod_name": TEXT_KW, "container_name": TEXT_KW}},
    "took_millis": {"type": "long"}, "duration": {"type": "keyword"},
    "user": {"properties": {"id": {"type": "keyword"}}},
}}
#: index → mapping: two days of KubeSphere logs; two indices that map `took` differently and `span` once;
#: one closed index
INDICES = {
    "ks-logstash-log-2026.01.01": MAPPING, "ks-logstash-log-2026.01.02": MAPPING,
    "vmixed-a": {"properties": {"@timestamp": {"type": "date"}, "took": {"type": "long"}, "span": {"type": "keyword"}}},
    "vmixed-b": {"properties": {"@timestamp": {"type": "date"}, "took": {"type": "keyword"}}},
    "vclosed-2026.01.01": MAPPING,
}


def load(server) -> None:
    """Create the indices once per server (servers are shared by the session)."""
    if getattr(server, "obs_validate_data", False):
        return
    http = requests.Session()
    for name, mapping in INDICES.items():
        r = http.put(f"{server.url}/{name}", json={"settings": {"number_of_shards": 1, "number_of_replicas": 0},
                                                   "mappings": mapping}, timeout=60)
        assert r.status_code == 200 or "already_exists" in r.text, r.text
    docs = [{"@timestamp": "2026-01-01T10:00:00Z", "time": "10:00", "log": "PaymentException at checkout",
             "kubernetes": {"namespace_name": "shop", "pod_name": "checkout-1", "container_name": "checkout"},
             "took_millis": 1200, "duration": "1.2s", "user": {"id": "u1"}}]
    bulk = "".join(json.dumps({"index": {"_index": "ks-logstash-log-2026.01.01"}}) + "\n" + json.dumps(d) + "\n"
                   for d in docs)
    r = http.post(f"{server.url}/_bulk?refresh=true", data=bulk, headers={"Content-Type": "application/x-ndjson"},
                  timeout=60)
    assert r.status_code == 200 and not r.json()["errors"], r.text
    r = http.post(f"{server.url}/vclosed-2026.01.01/_close", timeout=60)
    assert r.status_code == 200, r.text
    server.obs_validate_data = True


OBS_YAML = """\
apiVersion: obs/v1
kind: Project
metadata: {name: val}
spec:
  sources: ["*.yaml"]
  targets: [elastalert, watcher, opensearch-monitor]
  defaults:
    logs: {index: "ks-logstash-log-*", targets: [elastalert, watcher, opensearch-monitor]}
  environments:
    es:
      elasticsearch: {url: {env: T_ES_URL}}
    os:
      opensearch: {url: {env: T_OS_URL}}
    both:
      elasticsearch: {url: {env: T_ES_URL}}
      opensearch: {url: {env: T_OS_URL}}
    os-as-es:
      elasticsearch: {url: {env: T_OS_URL}}
"""

CHANNEL = """\
apiVersion: obs/v1
kind: Channel
metadata: {name: hook}
spec: {type: webhook, url: "http://hook.example.com/x"}
"""

GOOD = """\
apiVersion: obs/v1
kind: Service
metadata: {name: shop, team: pay}
spec:
  logAlerts:
    - name: pay-per-pod
      query: 'kubernetes.namespace_name:"shop" AND log:"PaymentException"'
      when: count > 20 in 5m
      groupBy: kubernetes.pod_name
      severity: critical
      summary: s
      notify: [hook]
    - name: slow-avg
      query: '_exists_:took_millis AND kubernetes.\\*:"shop"'
      when: avg(took_millis) > 2000 in 10m
      severity: warning
      summary: s
      notify: [hook]
    - name: pods-distinct
      when: distinct kubernetes.pod_name > 3 in 1h
      severity: warning
      summary: s
      notify: [hook]
    - name: rec-ratio
      query: 'kubernetes.container_name:recommend'
      when: ratio > 5% in 10m
      match: 'log:"inference slow"'
      severity: warning
      summary: s
      notify: [hook]
    - name: shop-filter
      filter: {bool: {filter: [{term: {kubernetes.namespace_name.keyword: shop}}, {exists: {field: log}}]}}
      when: any
      severity: info
      summary: s
      notify: [hook]
    - name: new-containers
      when: new value of kubernetes.container_name
      severity: info
      summary: s
      notify: [hook]
      targets: [elastalert]
    - name: pod-avg
      when: avg(took_millis) > 5 in 5m
      groupBy: kubernetes.pod_name.keyword
      severity: info
      summary: s
      notify: [hook]
      targets: [elastalert]
"""

GOOD_LEGACY = """\
name: java-oom-per-pod
type: frequency
index: ks-logstash-log-*
num_events: 3
timeframe: {minutes: 5}
query_key: kubernetes.pod_name
filter:
  - query:
      query_string:
        query: 'log:"java.lang.OutOfMemoryError"'
alert: [debug]
"""

BAD = """\
apiVersion: obs/v1
kind: Service
metadata: {name: shop, team: pay}
spec:
  logAlerts:
    - name: wrong-index
      index: ks-logstash-logs-*
      query: 'log:x'
      when: any
      severity: info
      summary: s
      notify: [hook]
    - name: nothing-index
      index: nope-*
      when: any
      severity: info
      summary: s
      notify: [hook]
    - name: pod-typo
      query: 'kubernetes.namespace_name:"shop" AND kubernetes.pod:"checkout-1"'
      when: count > 5 in 5m
      severity: warning
      summary: s
      notify: [hook]
    - name: avg-keyword
      when: avg(duration) > 100 in 5m
      severity: warning
      summary: s
      notify: [hook]
    - name: terms-text
      when: avg(took_millis) > 5 in 5m
      groupBy: kubernetes.pod_name
      severity: warning
      summary: s
      notify: [hook]
      targets: [elastalert]
    - name: distinct-keyword
      when: distinct user.id > 5 in 1h
      severity: warning
      summary: s
      notify: [hook]
      targets: [watcher, opensearch-monitor]
    - name: ts-keyword
      timestampField: time
      when: any
      severity: info
      summary: s
      notify: [hook]
    - name: bad-lucene
      query: 'log:(PaymentException AND'
      when: any
      severity: info
      summary: s
      notify: [hook]
    - name: bad-dsl
      filter: {bogus: {}}
      when: any
      severity: info
      summary: s
      notify: [hook]
    - name: dsl-type
      filter:
        term: {took_millis: abc}
      when: any
      severity: info
      summary: s
      notify: [hook]
    - name: mixed-avg
      index: vmixed-*
      when: avg(took) > 5 in 5m
      severity: info
      summary: s
      notify: [hook]
    - name: partial
      index: vmixed-*
      query: 'span:x'
      when: any
      severity: info
      summary: s
      notify: [hook]
    - name: closed
      index: vclosed-*
      when: any
      severity: info
      summary: s
      notify: [hook]
"""

BAD_LEGACY = """\
name: slow-pods
type: metric_aggregation
index: ks-logstash-log-*
metric_agg_key: duration
metric_agg_type: avg
max_threshold: 10
buffer_time: {minutes: 5}
query_key: kubernetes.pod_name.keyword
filter:
  - term:
      kubernetes.container_nam: checkout
alert: [debug]
"""


def project(root: Path, alerts: str, legacy: str | None = None) -> Path:
    (root / "obs.yaml").write_text(OBS_YAML)
    (root / "channel.yaml").write_text(CHANNEL)
    (root / "alerts.yaml").write_text(textwrap.dedent(alerts))
    if legacy is not None:
        (root / "legacy.yaml").write_text(legacy)
    return root


def at(text: str, marker: str, sub: str, file: str = "alerts.yaml", last: bool = False) -> str:
    """`file:line:col` of `sub` (its first or last occurrence) on the one line of `text` holding `marker`."""
    lines = [i for i, line in enumerate(text.splitlines()) if marker in line]
    assert len(lines) == 1, (marker, lines)
    line = text.splitlines()[lines[0]]
    return f"{file}:{lines[0] + 1}:{(line.rindex(sub) if last else line.index(sub)) + 1}"
