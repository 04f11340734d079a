"""Contract tests: `obs apply` of rule groups to a Mimir (and Cortex) ruler, replayed from
recordings that follow the documented ruler API (tests/contracts/mimir/, which cite Mimir 2.14
and Cortex 1.16) — neither runs here. A request without a recording, or one left unused, fails."""

from __future__ import annotations

import pytest
import yaml

from tests.apply.apply_helpers import compile_ok, obs, write_project
from tests.apply.replay import Replay, load
from tests.live.scripted import ScriptedServer

pytestmark = pytest.mark.contract

TOKEN = "mimir-t0ken-3c9b1f77"
ENV = "mimir: {url: {env: MIMIR_URL}, tenant: team-a, token: {env: MIMIR_TOKEN}}"


@pytest.fixture
def server():
    with ScriptedServer() as s:
        yield s


def project(tmp_path, env=ENV, services=("api", "web")):
    root = write_project(tmp_path / "repo", {s: "sum(up)" for s in services}, env)
    compile_ok(root)
    return root


def run(root, server, *args, url: str | None = None):
    r = obs(root, *args, "--env", "local", env={"MIMIR_URL": url or server.url, "MIMIR_TOKEN": TOKEN})
    assert TOKEN not in r.stdout + r.stderr
    return r


def writes(server) -> list[str]:
    return [f"{r.method} {r.path}" for r in server.requests if r.method != "GET"]


def test_contract_groups_are_set_one_per_request_for_the_tenant_and_a_second_apply_changes_nothing(tmp_path,
                                                                                                   server):
    rec = Replay(server, load("mimir", "create"))
    root = project(tmp_path)
    first = run(root, server, "apply")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "mimir → mimir at" in first.stdout and "namespace 'demo', tenant 'team-a'" in first.stdout
    assert "+ api-rules" in first.stdout and "+ web-rules" in first.stdout
    sent = rec.sent(2)
    assert sent.headers["X-Scope-OrgID"] == "team-a" and sent.headers["Content-Type"] == "application/yaml"
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    compiled = yaml.safe_load((root / "out/prometheus/api.rules.yaml").read_text())["groups"][0]
    assert yaml.safe_load(sent.body) == compiled  # one group, as out/ has it
    second = run(root, server, "apply")  # the ruler's re-marshalled YAML, and team-b's group of the same name
    assert second.returncode == 0 and "No changes" in second.stdout and "2 up to date" in second.stdout
    rec.check()


def test_contract_prune_deletes_only_groups_of_obs_namespace_that_out_no_longer_has(tmp_path, server):
    rec = Replay(server, load("mimir", "prune"))
    root = project(tmp_path, services=("api",))
    diff = run(root, server, "diff", "-v")
    assert diff.returncode == 1
    assert "~ api-rules  definition differs" in diff.stdout and "? old-rules" in diff.stdout
    assert "-  expr: sum(up) by (job)" in diff.stdout and "+  expr: sum(up)\n" in diff.stdout  # a readable diff
    applied = run(root, server, "apply", "--prune")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert writes(server) == ["POST /prometheus/config/v1/rules/demo",
                              "DELETE /prometheus/config/v1/rules/demo/old-rules"]
    rec.check()  # team-b's old-rules was never touched


def test_contract_a_group_the_ruler_refuses_is_one_line_and_the_summary_says_what_was_set(tmp_path, server):
    rec = Replay(server, load("mimir", "refused"))
    r = run(project(tmp_path), server, "apply")
    assert r.returncode == 1
    [line] = [x for x in r.stderr.splitlines() if "error[" in x]
    assert "error[AP030]: mimir: the ruler refused group 'web-rules' of out/prometheus/web.rules.yaml: per-user " \
           "rule groups limit (limit: 1 actual: 2) exceeded" in line and "obs.yaml:" in line
    assert "hint: promtool accepts it" in r.stderr
    assert "applied before it failed: +api-rules" in r.stdout and "not applied: +web-rules" in r.stdout
    rec.check()  # the first read answered 503 and was asked again


def test_contract_cortex_path_behind_a_sub_path(tmp_path, server):
    rec = Replay(server, load("mimir", "cortex"))
    env = "mimir: {url: {env: MIMIR_URL}, tenant: team-a, rulesPath: /api/v1/rules, namespace: shop-rules}"
    r = run(project(tmp_path, env), server, "diff", "--target", "mimir", url=server.url + "/cortex")
    assert r.returncode == 1 and "namespace 'shop-rules'" in r.stdout and "+ api-rules" in r.stdout
    rec.check()


@pytest.mark.parametrize("recording, words", [
    ("not-a-ruler", "is not a ruler's configuration API (check the URL and rulesPath)"),
    ("no-tenant", "credentials refused"),
])
def test_contract_a_url_that_is_not_the_ruler_or_a_missing_tenant_is_exit_2_not_a_plan(tmp_path, server, recording,
                                                                                        words):
    rec = Replay(server, load("mimir", recording))
    r = run(project(tmp_path), server, "diff")
    assert r.returncode == 2 and words in r.stderr and "obs.yaml:" in r.stderr
    assert "Plan:" not in r.stdout  # a 404 never plans to create everything
    rec.check()


def test_two_files_with_a_group_of_the_same_name_cannot_share_a_namespace(tmp_path, server):
    root = project(tmp_path, services=("api",))
    (root / "svc-web.yaml").write_text((root / "svc-api.yaml").read_text().replace("name: api,", "name: web,")
                                       .replace("service: api", "service: web").replace("api:demo", "web:demo"))
    compile_ok(root)
    r = run(root, server, "diff")
    assert r.returncode == 2 and "error[AP031]" in r.stderr and "group 'api-rules'" in r.stderr
    assert server.requests == []
