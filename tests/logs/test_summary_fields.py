"""An ElastAlert rule's `alert_subject_args` and `use_strftime_index` keep their meaning through `obs import`
and the in-place read: the summary names the fields (`{{ kubernetes.pod_name }}`), which every target renders
from the line the alert is about, and a daily `logs-%Y.%m.%d` index becomes `logs-*`, which finds the same
lines. ElastAlert's own loader and alerter, and real Elasticsearch and OpenSearch, judge the result."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import yaml
from helpers import run_obs
from jsonschema import Draft202012Validator
from servers import elastalert_load

from obs.pipeline import build

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
LEGACY = """\
name: Java OOM
type: frequency
index: oomtest-%Y.%m.%d
use_strftime_index: true
num_events: 1
timeframe: {minutes: 5}
realert: {minutes: 15}
query_key: kubernetes.pod_name
filter:
  - query_string: {query: 'log:"OutOfMemoryError"'}
alert_subject: "OOM in {0} of {1} ({2})"
alert_subject_args: [kubernetes.pod_name, kubernetes.namespace_name, name]
alert: [post2]
http_post2_url: "${HOOK_URL}"
"""
SUMMARY = "OOM in {{ kubernetes.pod_name }} of {{ kubernetes.namespace_name }} (Java OOM)"
PROJECT = """\
apiVersion: obs/v1
kind: Project
metadata: {name: oom}
spec:
  sources: ["*.yaml"]
  targets: [elastalert, watcher, opensearch-monitor]
"""
CHANNEL = "apiVersion: obs/v1\nkind: Channel\nmetadata: {name: hook}\nspec: {type: webhook, url: {env: HOOK_URL}}\n"
MATCH = {"@timestamp": "2026-01-05T10:00:00Z", "log": "OutOfMemoryError: Java heap space",
         "kubernetes": {"pod_name": "pay-7d9", "namespace_name": "shop"}}


def test_import_keeps_the_subject_fields_and_the_daily_indices(tmp_path):
    (tmp_path / "oom.yaml").write_text(LEGACY)
    proc = run_obs("import", "elastalert", "oom.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    spec = yaml.safe_load(proc.stdout)["spec"]
    assert spec["summary"] == SUMMARY and spec["index"] == "oomtest-*"
    assert "use_strftime_index" in proc.stdout and "'name' is the rule's own option" in proc.stdout  # the notes


def test_the_in_place_read_means_the_same_and_elastalert_gets_the_rule_as_written(tmp_path):
    (tmp_path / "obs.yaml").write_text(PROJECT)
    (tmp_path / "oom.yaml").write_text(LEGACY)
    result = build(tmp_path)
    assert [d.render() for d in result.diags] == []
    [entry] = result.catalog.log_alerts
    assert (entry.index, entry.spec.summary) == ("oomtest-*", SUMMARY)
    rule = next(a for a in result.artifacts if a.path == "elastalert/java-oom.yaml").content.decode()
    assert yaml.safe_load(rule) == yaml.safe_load(LEGACY)


class _Capture(BaseHTTPRequestHandler):
    bodies: list = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        self.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def hook():
    server = HTTPServer(("127.0.0.1", 0), _Capture)
    _Capture.bodies = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/alert", _Capture.bodies
    server.shutdown()
    server.server_close()


def _imported_project(root: Path) -> Path:
    """The legacy rule through `obs import`, sent to a channel on all three targets."""
    root.mkdir()
    (root / "legacy.yaml").write_text(LEGACY)
    imported = run_obs("import", "elastalert", "legacy.yaml", cwd=root).stdout
    doc = yaml.safe_load(imported)
    doc["spec"].update(targets=["elastalert", "watcher", "opensearch-monitor"], notify=["hook"])
    (root / "legacy.yaml").unlink()
    (root / "obs.yaml").write_text(PROJECT)
    (root / "oom.yaml").write_text(yaml.safe_dump(doc))
    (root / "channel.yaml").write_text(CHANNEL)
    assert run_obs("compile", cwd=root).returncode == 0
    return root / "out"


def test_elastalert_titles_and_posts_the_same_subject_from_the_original_and_the_compiled_rule(tmp_path, hook):
    url, bodies = hook
    (tmp_path / "original.yaml").write_text(LEGACY)
    out = _imported_project(tmp_path / "p")
    env = {"HOOK_URL": url, "EA_MATCH": json.dumps(MATCH), "EA_SEND": "1"}
    loaded = elastalert_load([tmp_path / "original.yaml", out / "elastalert" / "java-oom.yaml"], env=env)
    original, compiled = loaded["original.yaml"], loaded["java-oom.yaml"]
    assert "error" not in original and "error" not in compiled, loaded
    title = "OOM in pay-7d9 of shop (Java OOM)"
    assert original["alerters"][0]["title"] == compiled["alerters"][0]["title"] == title
    assert bodies[-1]["summary"] == title  # the webhook payload, rendered by ElastAlert's Jinja and sent
    missing = {**MATCH, "kubernetes": {}}
    none = elastalert_load([out / "elastalert" / "java-oom.yaml"], env={**env, "EA_MATCH": json.dumps(missing)})
    assert none["java-oom.yaml"]["alerters"][0]["title"] == "OOM in <MISSING VALUE> of <MISSING VALUE> (Java OOM)"
    assert bodies[-1]["summary"] == "OOM in  of  (Java OOM)"  # a missing field is empty, never a failed send


def _resolve(path: str, context: dict):
    """A mustache dotted name over the response, as Watcher's and OpenSearch's mustache read it (`.0` indexes)."""
    node = context
    for step in path.split("."):
        node = node[int(step)] if isinstance(node, list) else node[step]
    return node


def _index(client, now: dt.datetime) -> None:
    """Daily indices as ElastAlert's strftime names them; the newest pay-7d9 line is from namespace shop."""
    docs = [(now - dt.timedelta(seconds=s), pod, ns) for s, pod, ns in
            ((90, "pay-7d9", "old-ns"), (60, "pay-7d9", "shop"), (30, "cart-1", "cart"))]
    docs.append((now - dt.timedelta(days=3), "pay-7d9", "ancient"))  # another day's index, outside the window
    for ts, pod, ns in docs:
        doc = {"@timestamp": ts.isoformat(), "log": "OutOfMemoryError: Java heap space",
               "kubernetes": {"pod_name": pod, "namespace_name": ns}}
        for _ in range(3 if pod == "pay-7d9" else 1):
            client.index(index=ts.strftime("oomtest-%Y.%m.%d"), body=doc, refresh=True)


def test_watches_and_monitors_render_the_fields_of_the_group_that_fired(tmp_path, elasticsearch, opensearch):
    out = _imported_project(tmp_path / "p")
    (es, server), (osearch, _) = elasticsearch, opensearch
    now = dt.datetime.now(dt.UTC)
    for client in (es, osearch):
        _index(client, now)
    watch = json.loads((out / "watcher" / "oom-java-oom.json").read_text())
    monitor = json.loads((out / "opensearch" / "oom-java-oom.json").read_text())
    for schema, doc in (("watcher-watch.json", watch), ("opensearch-monitor.json", monitor)):
        Draft202012Validator(json.loads((SCHEMAS / schema).read_text())).validate(doc)
    request = watch["input"]["search"]["request"]
    response = es.search(index=",".join(request["indices"]), body=request["body"], rest_total_hits_as_int=True)
    subject = watch["actions"]["hook"]["webhook"]["body"]
    summary = json.loads(subject)["summary"]
    rendered = re.sub(r"{{(.*?)}}", lambda m: str(_resolve(m.group(1), {"ctx": {"payload": response}})), summary)
    assert rendered == "OOM in pay-7d9 of shop (Java OOM)"
    search = monitor["inputs"][0]["search"]
    response = osearch.search(index=",".join(search["indices"]), body=search["query"])
    action = monitor["triggers"][0]["query_level_trigger"]["actions"][0]
    rendered = re.sub(r"{{(.*?)}}", lambda m: str(_resolve(m.group(1), {"ctx": {"results": [response]}})),
                      action["subject_template"]["source"])
    assert rendered == "OOM in pay-7d9 of shop (Java OOM)"
    # the same lines as ElastAlert's own day-by-day search of the original rule
    (tmp_path / "original.yaml").write_text(LEGACY)
    original = elastalert_load([tmp_path / "original.yaml"], port=server.port)["original.yaml"]
    assert "oomtest-*" not in original["indices"] and original["indices"].startswith("oomtest-2")
    query = {"size": 0, "track_total_hits": True, **original["query"]}
    theirs = es.search(index=original["indices"], body=query, ignore_unavailable=True)["hits"]["total"]["value"]
    ours = es.search(index="oomtest-*", body=query)["hits"]["total"]["value"]
    assert theirs == ours == 7


def test_literal_braces_survive_elastalerts_format_and_text_without_references_is_untouched():
    from obs.logs.template import positional
    assert positional("JSON {a: 1} from {{ pod }}, {{pod}} again") == ("JSON {{a: 1}} from {0}, {1} again",
                                                                       ["pod", "pod"])
    assert positional("Literal {0} and {x}") == ("Literal {0} and {x}", [])  # no *_args: ElastAlert keeps it


def test_a_kept_rule_with_a_strftime_index_but_no_use_strftime_index_is_a_warning(tmp_path):
    (tmp_path / "obs.yaml").write_text(PROJECT)
    (tmp_path / "oom.yaml").write_text(LEGACY.replace("use_strftime_index: true\n", ""))
    warnings = [d.render() for d in build(tmp_path).diags if d.code == "LG022"]
    assert warnings == ["oom.yaml:3:8: warning[LG022]: ElastAlert rule 'java-oom': index 'oomtest-%Y.%m.%d' looks "
                        "like a strftime pattern, but without use_strftime_index ElastAlert searches it as a literal "
                        "name"]
