"""Contract tests: `obs diff`/`obs apply` to the Kubernetes API (no API server runs here), against
a loopback server that holds state and answers from recordings of the documented v1.31 API
(tests/contracts/kubernetes/apply-*.json: discovery, server-side apply, refusals as v1 Status),
reached through a kubeconfig context with a bearer token and a server URL with a sub-path."""

from __future__ import annotations

import base64
import re

import pytest
import yaml

from tests.apply.apply_helpers import HOOK_URL, SECRET, WEB_HOOK, compile_ok, no_secret, obs, write_project
from tests.apply.kube_api import KubeApiServer

pytestmark = pytest.mark.contract

TOKEN = "kube-t0ken-5e3c9a71"
PREFIX = "/k8s/clusters/prod"
ENV = "kubernetes: {context: ci, kubeconfig: {env: KUBECONFIG_FILE}}"
ALERT = """---
apiVersion: obs/v1
kind: AlertRule
metadata: {name: ApiDown, service: api}
spec: {expr: 'up == 0', for: 5m, severity: critical, summary: api is down, notify: [web-hook]}
"""
CORE, MON = "/api/v1", "/apis/monitoring.coreos.com/v1"
RULE = f"{MON}/namespaces/monitoring/prometheusrules/demo-api"
SECRET_PATH = f"{CORE}/namespaces/monitoring/secrets/obs-alertmanager"


@pytest.fixture
def api():
    with KubeApiServer(PREFIX) as server:
        yield server


def project(tmp_path, secret_name: str = "obs-alertmanager", services=("api",)):
    root = write_project(tmp_path / "repo", {s: "vector(1)" for s in services}, ENV,
                         targets="prometheus-operator, alertmanager",
                         extra={"channels.yaml": WEB_HOOK, "alerts.yaml": ALERT.lstrip("-\n")})
    text = (root / "obs.yaml").read_text().replace(
        "  environments:", "  defaults: {kubernetes: {namespace: monitoring}, "
        f"alertmanager: {{secretName: {secret_name}}}}}\n  environments:")
    (root / "obs.yaml").write_text(text)
    compile_ok(root)
    return root


def kubeconfig(tmp_path, server: str) -> str:
    doc = {"apiVersion": "v1", "kind": "Config", "current-context": "other",
           "clusters": [{"name": "prod", "cluster": {"server": server + PREFIX}},
                        {"name": "other", "cluster": {"server": "http://127.0.0.1:9"}}],
           "users": [{"name": "ci", "user": {"token": TOKEN}}, {"name": "o", "user": {"token": "not-this"}}],
           "contexts": [{"name": "ci", "context": {"cluster": "prod", "user": "ci"}},
                        {"name": "other", "context": {"cluster": "other", "user": "o"}}]}
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(doc))
    return str(path)


def run(root, api, *args, **environ: str):
    r = obs(root, *args, "--env", "local",
            env={"KUBECONFIG_FILE": kubeconfig(root.parent, api.url), "WEB_HOOK_URL": HOOK_URL, **environ})
    no_secret(r.stdout, r.stderr)
    assert TOKEN not in r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    return r


def writes(api, dry: bool | None = None) -> list[tuple[str, str]]:
    return [(r.method, r.path[len(PREFIX):]) for r in api.writes()
            if dry is None or (r.query.get("dryRun") == ["All"]) == dry]


def test_contract_apply_dry_runs_then_applies_server_side_and_a_second_apply_changes_nothing(tmp_path, api):
    root = project(tmp_path)
    first = run(root, api, "apply")
    assert first.returncode == 0, first.stdout + first.stderr
    for key in ("+ PrometheusRule/monitoring/demo-api", "+ Secret/monitoring/obs-alertmanager"):
        assert key in first.stdout
    # every write dry-run (dryRun=All) before the first real write; Secrets before their consumers
    sent = [(r.method, r.path[len(PREFIX):], r.query.get("dryRun") == ["All"]) for r in api.writes()]
    assert sent == [("PATCH", SECRET_PATH, True), ("PATCH", RULE, True),
                    ("PATCH", SECRET_PATH, False), ("PATCH", RULE, False)]
    for r in api.writes():
        assert r.headers["Content-Type"] == "application/apply-patch+yaml"
        assert r.query["fieldManager"] == ["obs"] and "force" not in r.query  # creates are never forced
        assert r.headers["Authorization"] == f"Bearer {TOKEN}"  # the context's user, not current-context's
    assert all(r.path.startswith(PREFIX + "/") for r in api.requests)
    stored = api.objects[SECRET_PATH]
    config = base64.b64decode(stored["data"]["alertmanager.yaml"]).decode()
    assert f'url: "{HOOK_URL}"' in config and "stringData" not in stored  # filled at apply time, sent as data
    assert "obs.invalid" not in config  # the URL stub amtool needs is replaced whole
    assert "${WEB_HOOK_URL}" in (root / "out/kubernetes/alertmanager.yaml").read_text()
    assert api.objects[RULE]["metadata"]["annotations"]["obs.dev/applied"]
    before = len(api.writes())
    second = run(root, api, "apply")
    assert second.returncode == 0 and "No changes: the environment matches out/." in second.stdout
    assert "kubernetes → context ci" in second.stdout and "2 up to date" in second.stdout
    assert len(api.writes()) == before
    assert run(root, api, "diff").returncode == 0


def test_contract_a_rotated_secret_is_an_update_whose_diff_shows_keys_only(tmp_path, api):
    root = project(tmp_path)
    assert run(root, api, "apply").returncode == 0
    api.objects[SECRET_PATH]["data"]["alertmanager.yaml"] = base64.b64encode(b"edited by hand").decode()
    diff = run(root, api, "diff", "-v")
    assert diff.returncode == 1
    assert re.search(r"~ Secret/monitoring/obs-alertmanager +secret values changed", diff.stdout)
    assert "alertmanager.yaml: <secret> (changed)" in diff.stdout and "edited by hand" not in diff.stdout
    assert "ZWRpdGVk" not in diff.stdout  # nor its base64
    applied = run(root, api, "apply")
    assert applied.returncode == 0
    update = [r for r in api.writes() if r.path.endswith("/obs-alertmanager")][-1]
    assert update.query.get("force") == ["true"]  # obs's own object: a hand edit is drift, taken back


def test_contract_a_foreign_alertmanager_main_secret_is_refused_not_overwritten(tmp_path, api):
    root = project(tmp_path, secret_name="alertmanager-main")
    path = f"{CORE}/namespaces/monitoring/secrets/alertmanager-main"
    api.put_recorded(path, "kubesphere-alertmanager-main")
    r = run(root, api, "apply")
    assert r.returncode == 1
    assert "! Secret/monitoring/alertmanager-main" in r.stdout
    line = next(x for x in r.stderr.splitlines() if "error[AP003]" in x)
    assert "not owned by obs project demo" in line and "nothing was applied" in line
    assert "notification-manager" in r.stderr and "AlertmanagerConfig" in r.stderr  # the hint says what to use
    assert writes(api) == []
    assert api.objects[path] == api.recorded["kubesphere-alertmanager-main"]
    assert "notification-manager-svc" not in r.stdout + r.stderr  # the foreign Secret's values are not shown
    diff = run(root, api, "diff", "-v")
    assert diff.returncode == 1 and "alertmanager.yaml: <secret> (changed)" in diff.stdout
    foreign = api.recorded["kubesphere-alertmanager-main"]["data"]["alertmanager.yaml"]
    assert foreign[:24] not in diff.stdout and "notification-manager-svc" not in diff.stdout


def test_contract_prune_lists_each_namespace_where_rbac_allows_no_more(tmp_path, api):
    root = project(tmp_path, services=("api", "old"))
    assert run(root, api, "apply").returncode == 0
    for collection in (f"{CORE}/configmaps", f"{CORE}/secrets", f"{MON}/prometheusrules"):
        api.refuse("GET", collection, "forbidden-list")
    root = project(tmp_path, services=("api",))
    r = run(root, api, "apply", "--prune")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "- PrometheusRule/monitoring/demo-old" in r.stdout
    listed = {x.path[len(PREFIX):] for x in api.requests if x.query.get("labelSelector")}
    assert {f"{MON}/namespaces/monitoring/prometheusrules", f"{CORE}/namespaces/monitoring/secrets"} <= listed
    assert f"{MON}/prometheusrules" in listed  # asked across namespaces first


def test_contract_prune_deletes_only_this_projects_objects_after_the_writes(tmp_path, api):
    root = project(tmp_path, services=("api", "old"))
    assert run(root, api, "apply").returncode == 0
    other = f"{MON}/namespaces/monitoring/prometheusrules/other-team"
    api.put(other, {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
                    "metadata": {"name": "other-team", "namespace": "monitoring",
                                 "labels": {"app.kubernetes.io/managed-by": "obs", "obs.dev/project": "other"}},
                    "spec": {"groups": []}})
    hand = f"{MON}/namespaces/monitoring/prometheusrules/hand-made"
    api.put(hand, {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
                   "metadata": {"name": "hand-made", "namespace": "monitoring"}, "spec": {"groups": []}})
    root = project(tmp_path, services=("api",))
    diff = run(root, api, "diff")
    assert "? PrometheusRule/monitoring/demo-old" in diff.stdout and "other-team" not in diff.stdout
    assert "hand-made" not in diff.stdout
    start = len(api.writes())
    r = run(root, api, "apply", "--prune")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "- PrometheusRule/monitoring/demo-old" in r.stdout
    done = [(x.method, x.path[len(PREFIX):], x.query.get("dryRun") == ["All"]) for x in api.writes()[start:]]
    old = f"{MON}/namespaces/monitoring/prometheusrules/demo-old"
    assert ("DELETE", old, True) in done and done[-1] == ("DELETE", old, False)
    assert [d for d in done if d[0] == "DELETE"] == [("DELETE", old, True), ("DELETE", old, False)]
    assert old not in api.objects and other in api.objects and hand in api.objects
    selectors = {x.query["labelSelector"][0] for x in api.requests if x.method == "GET" and "labelSelector" in x.query}
    assert selectors == {"app.kubernetes.io/managed-by=obs,obs.dev/project=demo"}


def test_contract_a_field_conflict_is_one_line_and_nothing_is_written(tmp_path, api):
    root = project(tmp_path)
    assert run(root, api, "apply").returncode == 0
    api.objects[RULE]["metadata"]["annotations"]["obs.dev/applied"] = "older"
    start = len(api.writes())
    api.refuse("PATCH", RULE, "conflict")
    r = run(root, api, "apply")
    assert r.returncode == 1
    [line] = [x for x in r.stderr.splitlines() if "error[" in x]
    assert "error[AP005]" in line and "PrometheusRule/monitoring/demo-api: field conflict with manager " \
        "kubectl-edit (.spec.groups)" in line
    assert writes(api, dry=False)[start:] == [] and all(d for *_, d in [(0, 0, x.query.get("dryRun") == ["All"])
                                                                       for x in api.writes()[start:]])


def test_contract_an_invalid_object_and_a_forbidden_write_are_one_line_each(tmp_path, api):
    root = project(tmp_path)
    api.refuse("PATCH", RULE, "invalid")
    api.refuse("PATCH", SECRET_PATH, "forbidden")
    r = run(root, api, "apply")
    assert r.returncode == 1
    lines = [x for x in r.stderr.splitlines() if "error[" in x]
    assert len(lines) == 2 and all("error[AP005]" in x for x in lines)
    assert any("PrometheusRule/monitoring/demo-api is invalid: spec.groups[0].interval: Invalid value" in x
               for x in lines)
    assert any("Secret/monitoring/obs-alertmanager: forbidden to write it: secrets \"obs-alertmanager\" is "
               "forbidden: User \"system:serviceaccount:ci:obs\" cannot patch" in x for x in lines)
    assert writes(api, dry=False) == []


def test_contract_a_missing_crd_is_one_line_naming_it(tmp_path, api):
    root = project(tmp_path)
    del api.discovery["/apis/monitoring.coreos.com/v1"]
    r = run(root, api, "diff")
    assert r.returncode == 2
    [line] = [x for x in r.stderr.splitlines() if "error[" in x]
    assert "error[AP010]" in line and "CRD prometheusrules.monitoring.coreos.com is not installed" in line
    assert line.startswith("obs.yaml:")


def test_contract_a_forbidden_list_is_one_line_with_the_rbac_message(tmp_path, api):
    root = project(tmp_path)
    api.refuse("GET", f"{CORE}/configmaps", "forbidden-list")  # across namespaces: falls back to each one
    api.refuse("GET", f"{CORE}/namespaces/monitoring/configmaps", "forbidden-list")
    r = run(root, api, "diff")
    assert f"{PREFIX}{CORE}/configmaps" in [x.path for x in api.requests]
    assert r.returncode == 2
    [line] = [x for x in r.stderr.splitlines() if "error[" in x]
    assert "error[AP011]" in line and "forbidden to list configmaps in namespace monitoring" in line
    assert "hint: grant obs's user" in r.stderr


def test_contract_apply_needs_a_context_and_never_prints_the_token(tmp_path, api):
    root = project(tmp_path)
    (root / "obs.yaml").write_text((root / "obs.yaml").read_text().replace("context: ci, ", ""))
    compile_ok(root)
    r = run(root, api, "apply", "--target", "kubernetes")
    assert r.returncode == 2 and "error[AP009]" in r.stderr and "kubernetes.context" in r.stderr
    assert SECRET not in r.stderr


def test_contract_an_unreachable_api_server_is_one_line_and_exit_2(tmp_path):
    root = project(tmp_path)
    r = obs(root, "diff", "--env", "local",
            env={"KUBECONFIG_FILE": kubeconfig(tmp_path, "http://127.0.0.1:9"), "WEB_HOOK_URL": HOOK_URL})
    assert r.returncode == 2 and "Traceback" not in r.stderr
    [line] = [x for x in r.stderr.splitlines() if "error[" in x]
    assert "error[LV001]" in line and "cannot connect" in line and line.startswith("obs.yaml:")


def test_contract_apply_dry_run_prints_the_plan_and_sends_no_write(tmp_path, api):
    root = project(tmp_path)
    r = run(root, api, "apply", "--dry-run")
    assert r.returncode == 0 and "+ Secret/monitoring/obs-alertmanager" in r.stdout
    assert "Dry run: nothing was applied." in r.stdout
    assert api.writes() == [] and api.objects == {}
