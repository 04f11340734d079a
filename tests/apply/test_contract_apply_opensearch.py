"""Contract tests: `obs apply` to OpenSearch Alerting (monitors) and Notifications (channels),
replayed from recordings that follow the documented 2.19 APIs (tests/contracts/opensearch/, which
cite them) — the plugins are not in the distribution that runs here."""

from __future__ import annotations

import pytest

from tests.apply.apply_helpers import HOOK_URL, compile_ok, no_secret, obs, write_logs_project
from tests.apply.replay import Replay, load
from tests.live.scripted import ScriptedServer

pytestmark = pytest.mark.contract

ENV = "opensearch: {url: {env: OS_URL}, username: admin, password: {env: OS_PASSWORD}}"
PASSWORD = "os-pa55word-8c1d"


@pytest.fixture
def server():
    with ScriptedServer() as s:
        yield s


def run(root, server, *args):
    r = obs(root, *args, "--env", "local", env={"OS_URL": server.url + "/os", "OS_PASSWORD": PASSWORD,
                                                "WEB_HOOK_URL": HOOK_URL})
    no_secret(r.stdout, r.stderr)
    assert PASSWORD not in r.stdout + r.stderr
    return r


def project(tmp_path, alerts=("errors", "timeouts")):
    root = write_logs_project(tmp_path / "repo", list(alerts), ENV, "opensearch-monitor")
    compile_ok(root)
    return root


def prefixed(doc: dict) -> dict:
    """The recordings at the sub-path /os (the URL of the environment), as a proxy would serve them."""
    for x in doc["exchanges"]:
        x["request"]["path"] = "/os" + x["request"]["path"]
    return doc


def writes(server) -> list[str]:
    return [f"{r.method} {r.path[3:]}" for r in server.requests if r.method != "GET" and not r.path.endswith(
        ("_search", "_execute"))]


def test_contract_channels_are_created_before_the_monitors_that_name_them_and_a_rerun_changes_nothing(tmp_path,
                                                                                                     server):
    replay = Replay(server, prefixed(load("opensearch", "alerting-create")))
    root = project(tmp_path)
    first = run(root, server, "apply")
    assert first.returncode == 0, first.stdout + first.stderr
    assert writes(server) == ["POST /_plugins/_notifications/configs", "POST /_plugins/_alerting/monitors",
                              "POST /_plugins/_alerting/monitors"]
    channel = replay.sent(6).json()
    assert channel["config_id"] == "obs-web-hook" and channel["config"]["webhook"]["url"] == HOOK_URL
    assert channel["config"]["description"].startswith("obs project demo, channel web-hook")
    monitor = replay.sent(7).json()
    assert monitor["name"] == "demo-errors" and monitor["ui_metadata"]["obs"]["project"] == "demo"
    assert monitor["triggers"][0]["query_level_trigger"]["actions"][0]["destination_id"] == "obs-web-hook"
    assert HOOK_URL not in replay.sent(7).body.decode()  # monitors hold no secret: the channel does
    assert replay.sent(0).headers["Authorization"].startswith("Basic ")
    second = run(root, server, "apply")
    assert second.returncode == 0 and "No changes" in second.stdout  # though the server re-rendered the queries
    replay.check()


def test_contract_prune_deletes_monitors_before_channels_and_only_this_projects(tmp_path, server):
    replay = Replay(server, prefixed(load("opensearch", "alerting-prune")))
    r = run(project(tmp_path, ("errors",)), server, "apply", "--prune", "-v")
    assert r.returncode == 0, r.stdout + r.stderr
    for line in ("~ channel/obs-web-hook", "~ monitor/demo-errors", "- monitor/demo-old", "- channel/obs-retired"):
        assert line in r.stdout
    assert "team-slack" not in r.stdout and "demo-x" not in r.stdout
    assert writes(server) == ["PUT /_plugins/_notifications/configs/obs-web-hook",
                              "PUT /_plugins/_alerting/monitors/m-err",
                              "DELETE /_plugins/_alerting/monitors/m-old",
                              "DELETE /_plugins/_notifications/configs/obs-retired"]
    replay.check()  # the update carried if_seq_no=4&if_primary_term=1


def test_contract_a_monitor_that_fails_its_dry_run_writes_nothing(tmp_path, server):
    replay = Replay(server, prefixed(load("opensearch", "alerting-dry-run-fails")))
    r = run(project(tmp_path, ("errors",)), server, "apply")
    assert r.returncode == 1 and "error[AP005]" in r.stderr and "compile error" in r.stderr
    assert writes(server) == []
    replay.check()
