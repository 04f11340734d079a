"""Contract tests: `obs apply` to Elasticsearch Watcher, replayed from recordings that follow the
documented 8.19 APIs (tests/contracts/elasticsearch/, which cite them) — Watcher is not in the
distribution that runs here. A request without a recording, or a recording left unused, fails."""

from __future__ import annotations

import json
import re

import pytest

from tests.apply.apply_helpers import HOOK_URL, compile_ok, no_secret, obs, write_logs_project
from tests.apply.replay import Replay, load
from tests.live.scripted import ScriptedServer

pytestmark = pytest.mark.contract

ENV = "elasticsearch: {url: {env: ES_URL}, apiKey: {env: ES_API_KEY}}"
API_KEY = "es-api-k3y-0b5e2d"


@pytest.fixture
def es():
    with ScriptedServer() as server:
        yield server


def run(root, server, *args, hook: str = HOOK_URL):
    r = obs(root, *args, "--env", "local", env={"ES_URL": server.url, "ES_API_KEY": API_KEY, "WEB_HOOK_URL": hook})
    no_secret(r.stdout, r.stderr)
    assert API_KEY not in r.stdout + r.stderr
    return r


def project(tmp_path, alerts=("errors", "timeouts")):
    root = write_logs_project(tmp_path / "repo", list(alerts), ENV)
    compile_ok(root)
    return root


def test_contract_watches_are_dry_run_then_put_with_values_filled_and_a_rerun_changes_nothing(tmp_path, es):
    replay = Replay(es, load("elasticsearch", "watcher-create"))
    root = project(tmp_path)
    first = run(root, es, "apply")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "+ demo-errors" in first.stdout and "+ demo-timeouts" in first.stdout
    dry = replay.sent(2).json()
    assert dry["action_modes"] == {"web-hook": "skip"} and dry["record_execution"] is False
    put = replay.sent(4)
    body = put.json()
    assert body["actions"]["web-hook"]["webhook"]["url"] == HOOK_URL  # filled just before the request
    assert body["metadata"]["obs"]["project"] == "demo" and set(body["metadata"]["obs"]["applied"]) == {
        "definition", "values"}
    assert put.headers["Authorization"] == f"ApiKey {API_KEY}"
    assert "${WEB_HOOK_URL}" in (root / "out/watcher/demo-errors.json").read_text()  # out/ keeps the placeholder
    second = run(root, es, "apply")
    assert second.returncode == 0 and "No changes" in second.stdout  # though Watcher re-rendered the webhook
    replay.check()


def test_contract_a_rotated_secret_is_planned_as_an_update(tmp_path, es):
    replay = Replay(es, load("elasticsearch", "watcher-create"))
    root = project(tmp_path)
    assert run(root, es, "apply").returncode == 0
    diff = run(root, es, "diff", "-v", hook="https://hooks.example.com/services/r0tated-41b2")
    assert diff.returncode == 1 and re.search(r"~ demo-errors +secret values changed", diff.stdout)
    assert "r0tated" not in diff.stdout + diff.stderr and "<secret>" in diff.stdout
    replay.check()


def test_contract_prune_deletes_only_this_projects_watches_and_updates_send_the_sequence_number(tmp_path, es):
    replay = Replay(es, load("elasticsearch", "watcher-prune"))
    root = project(tmp_path, ("errors",))
    diff = run(root, es, "diff", "-v")
    assert diff.returncode == 1
    assert "~ demo-errors" in diff.stdout and "definition differs" in diff.stdout
    assert "? demo-old" in diff.stdout and "demo-extra-x" not in diff.stdout
    assert '"path": "<secret>"' in diff.stdout  # the server's copy, masked
    applied = run(root, es, "apply", "--prune")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "- demo-old" in applied.stdout
    replay.check()  # the PUT carried if_seq_no=7&if_primary_term=2; demo-extra-x was never touched


def test_contract_a_cluster_without_a_watcher_license_is_one_clear_line(tmp_path, es):
    replay = Replay(es, load("elasticsearch", "watcher-license"))
    r = run(project(tmp_path), es, "diff")
    assert r.returncode == 2 and "not licensed" in r.stderr and "obs.yaml:" in r.stderr
    assert "credentials refused" not in r.stderr
    replay.check()


def test_contract_a_watch_that_fails_its_dry_run_writes_nothing(tmp_path, es):
    replay = Replay(es, load("elasticsearch", "watcher-dry-run-fails"))
    r = run(project(tmp_path, ("errors",)), es, "apply")
    assert r.returncode == 1 and "error[AP005]" in r.stderr and "failed to parse" in r.stderr
    assert "not attempted" in r.stdout
    replay.check()  # and no PUT was sent: it would have no recording


def test_contract_a_partial_failure_says_what_was_applied_and_a_rerun_converges(tmp_path, es):
    replay = Replay(es, load("elasticsearch", "watcher-put-fails"))
    root = project(tmp_path)
    first = run(root, es, "apply")
    assert first.returncode == 1 and "error[AP006]" in first.stderr
    assert "<secret>" in first.stderr  # the server echoed the value it refused: scrubbed
    assert "applied before it failed: +demo-errors" in first.stdout
    assert "not applied: +demo-timeouts" in first.stdout
    second = run(root, es, "apply")
    assert second.returncode == 0 and "+ demo-timeouts" in second.stdout and "demo-errors" not in second.stdout
    assert "No changes" in run(root, es, "apply").stdout
    replay.check()


def test_contract_a_watch_changed_meanwhile_is_a_conflict_not_an_overwrite(tmp_path, es):
    replay = Replay(es, load("elasticsearch", "watcher-conflict"))
    r = run(project(tmp_path, ("errors",)), es, "apply")
    assert r.returncode == 1 and "error[AP006]" in r.stderr and "conflict" in r.stderr
    replay.check()
    assert json.loads(replay.sent(3).body)["metadata"]["obs"]["project"] == "demo"
