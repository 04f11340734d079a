"""`obs apply` against the real search servers of this folder's session fixtures: the minimal
distributions have neither Watcher nor the OpenSearch Alerting/Notifications plugins, so apply
must say so in one line (exit 2) and write nothing; and an ElastAlert rules folder that apply
wrote is read by ElastAlert 2's own loader, `${VAR}` placeholders expanded by ElastAlert."""

from __future__ import annotations

import os

import pytest
from servers import elastalert_load

from tests.apply.apply_helpers import HOOK_URL, compile_ok, no_secret, obs, write_logs_project

pytestmark = pytest.mark.live


def test_a_cluster_without_watcher_is_one_line_and_exit_2(tmp_path, elasticsearch):
    _, server = elasticsearch
    root = write_logs_project(tmp_path / "repo", ["errors"], "elasticsearch: {url: {env: ES_URL}}")
    compile_ok(root)
    r = obs(root, "apply", "--env", "local", env={"ES_URL": server.url, "WEB_HOOK_URL": HOOK_URL})
    assert r.returncode == 2, r.stdout + r.stderr
    lines = [line for line in r.stderr.splitlines() if "error[" in line]
    assert len(lines) == 1 and "Watcher (_watcher) is not available on this server" in lines[0]
    assert lines[0].startswith("obs.yaml:")
    no_secret(r.stdout, r.stderr)


def test_an_opensearch_without_the_alerting_plugin_is_one_line_and_exit_2(tmp_path, opensearch):
    _, server = opensearch
    root = write_logs_project(tmp_path / "repo", ["errors"], "opensearch: {url: {env: OS_URL}}", "opensearch-monitor")
    compile_ok(root)
    r = obs(root, "diff", "--env", "local", env={"OS_URL": server.url, "WEB_HOOK_URL": HOOK_URL})
    assert r.returncode == 2, r.stdout + r.stderr
    assert "OpenSearch Alerting (_plugins/_alerting) is not available on this server" in r.stderr


def test_elastalert_reads_the_rules_folder_apply_wrote_and_prune_keeps_foreign_rules(tmp_path, elasticsearch):
    _, server = elasticsearch
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "team-own.yaml").write_text("name: team-own\ntype: any\nindex: x\nalert: [debug]\n")
    env_yaml = "elastalert: {rulesDir: ../rules}"
    root = write_logs_project(tmp_path / "repo", ["errors", "timeouts"], env_yaml, "elastalert")
    compile_ok(root)
    first = obs(root, "apply", "--env", "local")
    assert first.returncode == 0, first.stdout + first.stderr
    written = sorted(p.name for p in rules.glob("obs-*.yaml"))
    assert written == ["obs-demo-errors.yaml", "obs-demo-timeouts.yaml"]
    assert "${WEB_HOOK_URL}" in (rules / "obs-demo-errors.yaml").read_text()  # ElastAlert expands it itself
    loaded = elastalert_load(sorted(rules.glob("obs-*.yaml")), port=server.port, env={"WEB_HOOK_URL": HOOK_URL})
    assert all("error" not in v for v in loaded.values()), loaded
    assert loaded["obs-demo-errors.yaml"]["alerters"][0]["options"]["http_post2_url"] == HOOK_URL
    assert "No changes" in obs(root, "apply", "--env", "local").stdout
    write_logs_project(root, ["errors"], env_yaml, "elastalert")
    compile_ok(root)
    pruned = obs(root, "apply", "--env", "local", "--prune")
    assert pruned.returncode == 0 and "- obs-demo-timeouts.yaml" in pruned.stdout
    assert sorted(p.name for p in rules.glob("*.yaml")) == ["obs-demo-errors.yaml", "team-own.yaml"]
    assert os.environ.get("WEB_HOOK_URL") != HOOK_URL  # nothing leaked into this process either
