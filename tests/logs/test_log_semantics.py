"""Log alerts whose generated rule, watch or monitor could mean something else than the alert:
index lists, spikes to and from nothing, conditions that always or never hold, DingTalk signing."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml
from servers import EA_PYTHON

from obs.logs.condition import Condition
from obs.logs.search import evaluate
from obs.pipeline import build


def project(root: Path, alerts: list[dict], channels: dict | None = None) -> tuple[list, dict[str, str]]:
    (root / "obs.yaml").write_text(textwrap.dedent("""\
        apiVersion: obs/v1
        kind: Project
        metadata: {name: sem}
        spec:
          sources: ["*.yaml"]
          targets: [elastalert, watcher, opensearch-monitor]
          defaults:
            logs: {index: "logs-obs-*", targets: [elastalert, watcher, opensearch-monitor]}
        """))
    docs = [{"apiVersion": "obs/v1", "kind": "Channel", "metadata": {"name": n}, "spec": s}
            for n, s in (channels or {"hook": {"type": "webhook", "url": "http://hook.example.com/x"}}).items()]
    alerts = [{"severity": "warning", "summary": "s", "notify": ["hook"], **a} for a in alerts]
    docs.append({"apiVersion": "obs/v1", "kind": "Service", "metadata": {"name": "shop", "team": "pay"},
                 "spec": {"logAlerts": alerts}})
    (root / "docs.yaml").write_text("---\n".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs))
    result = build(root)
    errors = [d for d in result.diags if d.severity.value == "error"]
    return errors, {a.path: a.content.decode() for a in result.artifacts}


def test_an_index_list_is_a_list_of_indices_for_watches_and_monitors(tmp_path):
    """Watcher's and OpenSearch's search inputs do not split an element of `indices` at commas
    (`_msearch` reads an `index` array the same way): `a-*,b-*` must be two elements."""
    errors, out = project(tmp_path, [{"name": "two", "query": "x", "when": "any", "index": "app-a-*, app-b-*"}])
    assert errors == []
    watch, monitor = json.loads(out["watcher/sem-two.json"]), json.loads(out["opensearch/sem-two.json"])
    assert watch["input"]["search"]["request"]["indices"] == ["app-a-*", "app-b-*"]
    assert monitor["inputs"][0]["search"]["indices"] == ["app-a-*", "app-b-*"]
    assert yaml.safe_load(out["elastalert/two.yaml"])["index"] == "app-a-*,app-b-*"


def test_the_server_reads_an_index_array_element_whole(elasticsearch, tmp_path):
    """What the watch's `indices` becomes, run the way Watcher runs it (an array, not a URL path)."""
    es, _ = elasticsearch
    for index in ("sem-a-2026.01.01", "sem-b-2026.01.01"):
        es.index(index=index, document={"@timestamp": "2026-01-01T00:00:00Z", "app": "x"}, refresh=True)
    _, out = project(tmp_path, [{"name": "two", "query": "app:x", "when": "any", "index": "sem-a-*, sem-b-*"}])
    indices = json.loads(out["watcher/sem-two.json"])["input"]["search"]["request"]["indices"]

    def hits(index: list[str]) -> int:
        found = es.msearch(searches=[{"index": index, "ignore_unavailable": True, "allow_no_indices": True},
                                     {"query": {"match": {"app": "x"}}, "size": 0}])
        return found["responses"][0]["hits"]["total"]["value"]
    assert hits(["sem-a-*, sem-b-*"]) == 0  # one element is one (non-matching) index expression
    assert hits(indices) == 2


SPIKE_COUNTS = [(0, 0), (0, 1), (0, 9), (10, 0), (10, 4), (10, 5), (10, 6), (2, 5), (2, 6), (10, 30), (3, 3)]


def test_spikes_fire_on_the_same_counts_in_elastalert_and_in_watches(tmp_path):
    """ElastAlert's own SpikeRule.find_matches (its venv) and the watch/monitor condition decide alike for
    every (reference, current) pair, including a drop to nothing (`down`) and a rise from nothing (`up`)."""
    alerts = [{"name": f"spike-{d}", "query": "x", "when": f"spike {d} x2.5 in 10m"} for d in ("up", "down", "both")]
    errors, out = project(tmp_path, alerts)
    assert errors == []
    files = []
    for d in ("up", "down", "both"):
        (tmp_path / f"spike-{d}.yaml").write_text(out[f"elastalert/spike-{d}.yaml"])
        files.append(str(tmp_path / f"spike-{d}.yaml"))
    script = textwrap.dedent("""\
        import datetime, json, sys
        from elastalert.loaders import FileRulesLoader
        conf = {"es_host": "127.0.0.1", "es_port": 9, "rules_folder": ".", "writeback_index": "w",
                "run_every": datetime.timedelta(minutes=1), "buffer_time": datetime.timedelta(minutes=15),
                "alert_time_limit": datetime.timedelta(days=2), "old_query_limit": datetime.timedelta(weeks=1),
                "max_query_size": 10000, "scroll_keepalive": "30s", "max_aggregation": 10000,
                "disable_rules_on_error": False, "scan_subdirectories": False}
        pairs = json.loads(sys.argv[1])
        out = {}
        for path in sys.argv[2:]:
            rule = FileRulesLoader(conf).load_configuration(path, conf)
            out[rule["name"]] = [bool(rule["type"].find_matches(ref, cur)) for ref, cur in pairs]
        print(json.dumps(out))
        """)
    if not EA_PYTHON.exists():
        pytest.fail(f"ElastAlert 2 is not installed in {EA_PYTHON.parent.parent}: run scripts/setup-elastalert.sh")
    proc = subprocess.run([str(EA_PYTHON), "-c", script, json.dumps(SPIKE_COUNTS), *files],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    elastalert = json.loads(proc.stdout)
    for d in ("up", "down", "both"):
        name = f"spike-{d}"
        entry = Condition("spike", direction=d, factor=2.5, window="10m")
        watch = [evaluate(None, entry, {"hits": {"total": ref + cur}, "aggregations": {
            "current": {"doc_count": cur}, "reference": {"doc_count": ref}}}) for ref, cur in SPIKE_COUNTS]
        assert dict(zip(SPIKE_COUNTS, watch, strict=True)) == \
            dict(zip(SPIKE_COUNTS, elastalert[name], strict=True)), name
    assert evaluate(None, Condition("spike", direction="down", factor=2.5, window="10m"),
                    {"hits": {"total": 10}, "aggregations": {"current": {"doc_count": 0},
                                                            "reference": {"doc_count": 10}}})  # logs stopped


def test_a_signed_dingtalk_robot_is_an_error_for_watches_and_monitors(tmp_path):
    """DingTalk refuses unsigned requests to a robot with a signing secret (sign = HMAC of a fresh timestamp);
    a watch's webhook or an OpenSearch Notifications webhook cannot compute it, ElastAlert can."""
    channels = {"ding": {"type": "dingtalk", "url": {"env": "DING_URL"}, "secret": {"env": "DING_SIGN"}},
                "plain": {"type": "dingtalk", "url": {"env": "DING_PLAIN_URL"}}}
    alerts = [{"name": "signed", "query": "x", "when": "any", "notify": ["ding"]},
              {"name": "plain", "query": "x", "when": "any", "notify": ["plain"]},
              {"name": "signed-ea", "query": "x", "when": "any", "notify": ["ding"], "targets": ["elastalert"]}]
    errors, out = project(tmp_path, alerts, channels)
    assert sorted((d.code, d.message) for d in errors) == [
        ("LG007", "log alert 'signed': target opensearch-monitor cannot sign requests to DingTalk channel 'ding' "
                  "(it has `secret:`)"),
        ("LG007", "log alert 'signed': target watcher cannot sign requests to DingTalk channel 'ding' "
                  "(it has `secret:`)")]
    assert all(d.pos.file == "docs.yaml" and d.hint for d in errors)
    assert "watcher/sem-plain.json" in out and "watcher/sem-signed.json" not in out
    assert yaml.safe_load(out["elastalert/signed-ea.yaml"])["alert"][0]["dingtalk"]["dingtalk_sign"] == "${DING_SIGN}"


def test_an_index_that_names_nothing_is_an_error(tmp_path):
    from helpers import lint_source
    result = lint_source(tmp_path, """apiVersion: obs/v1
kind: Service
metadata: {name: api, team: core}
spec:
  logAlerts:
    - name: errors
      index: " , "
      query: log:ERROR
      when: any
      severity: warning
      summary: Errors
""", targets="watcher")
    assert result.returncode == 1
    assert "s.yaml:7:14: error[LG008]: log alert 'errors': index ' , ' names no index pattern" in result.stderr
