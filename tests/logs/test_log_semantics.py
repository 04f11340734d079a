"""Log alerts whose generated rule, watch or monitor could mean something else than the alert:
index lists, spikes to and from nothing, conditions that always or never hold, DingTalk signing."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import yaml

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
