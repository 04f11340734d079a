"""Contract tests: `obs apply` of dashboards to Grafana, replayed from recordings that follow the
documented Grafana 11.3 HTTP API (tests/contracts/grafana/apply-*.json, which cite it) — no
Grafana runs here. Grafana sits behind the sub-path /grafana, as behind an ingress. A request
without a recording, or a recording left unused, fails."""

from __future__ import annotations

import json

import pytest

from tests.apply.apply_helpers import compile_ok, obs, write_project
from tests.apply.replay import Replay, load
from tests.live.scripted import ScriptedServer

pytestmark = pytest.mark.contract

TOKEN = "glsa_t0kenValue_5f2e9a1c"
PASSWORD = "gr4fana-pa55-77e1"
TOKEN_ENV = "grafana: {url: {env: GF_URL}, token: {env: GF_TOKEN}, folder: Demo, orgId: 2}"
BASIC_ENV = "grafana: {url: {env: GF_URL}, username: obs, password: {env: GF_PASSWORD}, folder: Demo}"


@pytest.fixture
def server():
    with ScriptedServer() as s:
        yield s


def project(tmp_path, env=TOKEN_ENV, services=("api", "web")):
    root = write_project(tmp_path / "repo", {s: "sum(up)" for s in services}, env, "prometheus, grafana")
    for f in root.glob("svc-*.yaml"):
        f.write_text(f.read_text().replace("dashboards: []", "dashboards: [red]"))
    compile_ok(root)
    return root


def run(root, server, *args):
    r = obs(root, *args, "--env", "local", env={"GF_URL": server.url + "/grafana", "GF_TOKEN": TOKEN,
                                                "GF_PASSWORD": PASSWORD})
    for secret in (TOKEN, PASSWORD, TOKEN[5:]):
        assert secret not in r.stdout + r.stderr
    return r


def replay(server, name: str, edit=None) -> Replay:
    doc = load("grafana", name)
    for x in doc["exchanges"]:
        x["request"]["path"] = "/grafana" + x["request"]["path"]
    if edit:
        edit(doc)
    return Replay(server, doc)


def saves(server) -> list[dict]:
    return [r.json() for r in server.requests if r.method == "POST" and r.path.endswith("/api/dashboards/db")]


def test_contract_dashboards_go_into_a_folder_it_creates_and_a_second_apply_changes_nothing(tmp_path, server):
    rec = replay(server, "apply-create")
    root = project(tmp_path)
    first = run(root, server, "apply")
    assert first.returncode == 0, first.stdout + first.stderr
    for line in ("+ dashboard/obs-api-red", "+ dashboard/obs-web-red", "+ folder/Demo"):
        assert line in first.stdout
    assert rec.sent(8).json() == {"title": "Demo"}
    body = rec.sent(9).json()
    assert body["folderUid"] == "f-demo" and body["overwrite"] is False
    assert body["message"] == "obs apply (project demo)"
    out = json.loads((root / "out/grafana/obs-api-red.json").read_text())
    assert body["dashboard"]["tags"] == out["tags"] + ["obs:demo"]  # the ownership tag, added by apply
    assert body["dashboard"]["id"] is None and "version" not in body["dashboard"]  # a create: no version to match
    assert {k: v for k, v in body["dashboard"].items() if k not in ("id", "tags", "version")} == \
        {k: v for k, v in out.items() if k not in ("id", "tags", "version")}
    assert rec.sent(9).headers["Authorization"] == f"Bearer {TOKEN}" and rec.sent(9).headers["X-Grafana-Org-Id"] == "2"
    second = run(root, server, "apply")
    assert second.returncode == 0 and "No changes" in second.stdout and "no changes (3 up to date)" in second.stdout
    rec.check()


def test_contract_prune_deletes_only_this_projects_dashboards_and_an_update_sends_the_version_it_saw(tmp_path,
                                                                                                   server):
    rec = replay(server, "apply-prune")
    root = project(tmp_path, BASIC_ENV, ("api",))
    diff = run(root, server, "diff", "-v")
    assert diff.returncode == 1, diff.stdout + diff.stderr
    assert "~ dashboard/obs-api-red  content differs" in diff.stdout
    assert "? dashboard/obs-retired" in diff.stdout and "--prune" in diff.stdout
    assert '-  "panels": [],' in diff.stdout  # a readable diff of Grafana's copy and out/'s
    applied = run(root, server, "apply", "--prune")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "- dashboard/obs-retired" in applied.stdout
    [save] = saves(server)
    assert save["dashboard"]["version"] == 4 and save["overwrite"] is False
    assert rec.sent(0).headers["Authorization"].startswith("Basic ")
    rec.check()  # the team's own dashboards (not tagged obs:demo) were never read, let alone deleted


@pytest.mark.parametrize("status, message, code, words", [
    ("version-mismatch", "The dashboard has been changed by someone else", "AP020", "obs did not overwrite it"),
    ("name-exists", "A dashboard with the same name in the folder already exists", "AP021", "same title"),
    ("plugin-dashboard", "The dashboard belongs to plugin Kubernetes App.", "AP022", "belongs to a Grafana plugin"),
])
def test_contract_a_412_is_one_line_with_its_code_and_a_hint(tmp_path, server, status, message, code, words):
    def edit(doc):
        doc["exchanges"][-1]["response"]["body"] = {"message": message, "status": status}
    rec = replay(server, "apply-412", edit)
    r = run(project(tmp_path, services=("api",)), server, "apply")
    assert r.returncode == 1
    [line] = [x for x in r.stderr.splitlines() if "error[" in x]
    assert f"error[{code}]: grafana: dashboard obs-api-red" in line and words in line and "obs.yaml:" in line
    assert "hint:" in r.stderr
    rec.check()


def test_contract_a_provisioned_dashboard_is_a_conflict_and_nothing_is_written(tmp_path, server):
    rec = replay(server, "apply-provisioned")
    root = project(tmp_path, services=("api",))
    diff = run(root, server, "diff")
    assert diff.returncode == 1
    assert "! dashboard/obs-api-red  is provisioned by Grafana from obs-api-red.json" in diff.stdout
    r = run(root, server, "apply")
    assert r.returncode == 1 and "error[AP003]" in r.stderr and "nothing was applied" in r.stderr
    assert "sidecar ConfigMap out/kubernetes/grafana-dashboard-obs-api-red.yaml" in r.stderr  # where, instead
    assert saves(server) == []
    rec.check()


def test_contract_a_dashboard_of_someone_else_at_a_uid_out_wants_is_a_conflict_not_an_overwrite(tmp_path, server):
    def foreign(doc):
        for x in doc["exchanges"]:
            if x["request"]["path"].endswith("/api/dashboards/uid/obs-api-red"):
                x["response"]["body"]["dashboard"]["tags"] = ["team-made"]
                x["response"]["body"]["meta"]["provisioned"] = False
    rec = replay(server, "apply-provisioned", foreign)
    root = project(tmp_path, services=("api",))
    assert "! dashboard/obs-api-red  exists and is not owned by obs project demo" in run(root, server, "diff").stdout
    r = run(root, server, "apply", "--prune")
    assert r.returncode == 1 and "error[AP003]" in r.stderr and saves(server) == []
    rec.check()


def test_contract_cannot_save_provisioned_dashboard_from_the_server_is_reported_as_such(tmp_path, server):
    rec = replay(server, "apply-provisioned-save")
    r = run(project(tmp_path, services=("api",)), server, "apply")
    assert r.returncode == 1
    assert "error[AP023]: grafana: dashboard obs-api-red: Cannot save provisioned dashboard" in r.stderr
    rec.check()


def test_contract_a_missing_folder_uid_is_created_and_a_read_only_token_is_one_line(tmp_path, server):
    rec = replay(server, "apply-forbidden")
    env = "grafana: {url: {env: GF_URL}, token: {env: GF_TOKEN}, folder: Demo, folderUid: team-dash}"
    r = run(project(tmp_path, env, ("api",)), server, "apply")
    assert r.returncode == 1
    assert rec.sent(6).json() == {"title": "Demo", "uid": "team-dash"}
    assert "error[AP024]: grafana: Grafana refused to write dashboard obs-api-red into folder 'Demo' (403" in r.stderr
    assert "applied before it failed: +folder/Demo" in r.stdout and "not applied: +dashboard/obs-api-red" in r.stdout
    rec.check()


def test_contract_a_5xx_read_is_retried_a_failed_save_stops_and_a_rerun_converges(tmp_path, server):
    rec = replay(server, "apply-500")
    root = project(tmp_path)
    first = run(root, server, "apply")
    assert first.returncode == 1 and "error[AP006]" in first.stderr and "answered 500" in first.stderr
    assert "applied before it failed: +dashboard/obs-api-red" in first.stdout
    assert "not applied: +dashboard/obs-web-red" in first.stdout
    second = run(root, server, "apply")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "+ dashboard/obs-web-red" in second.stdout and "obs-api-red" not in second.stdout.split("Plan:")[0]
    assert "No changes" in run(root, server, "apply").stdout
    rec.check()  # the 503 was asked again (exchange 0, then 1)


def test_contract_a_refused_token_is_one_line_exit_2_without_the_token(tmp_path, server):
    rec = replay(server, "apply-unauthorized")
    r = run(project(tmp_path), server, "diff")
    assert r.returncode == 2
    assert "error[LV002]: grafana:" in r.stderr and "credentials refused" in r.stderr and "obs.yaml:" in r.stderr
    rec.check()


def test_without_a_folder_grafana_is_left_to_the_sidecar(tmp_path, server):
    root = project(tmp_path, "grafana: {url: {env: GF_URL}, token: {env: GF_TOKEN}}")
    r = run(root, server, "diff")
    assert r.returncode == 0 and "grafana (no grafana.folder in this environment)" in r.stdout
    asked = run(root, server, "apply", "--target", "grafana")
    assert asked.returncode == 2
    assert "error[AP009]: target grafana cannot be applied: no grafana.folder in this environment" in asked.stderr
    assert server.requests == []
