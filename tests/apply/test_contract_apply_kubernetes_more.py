"""Contract tests, continued: SkyWalking patches applied to the team's live workload (patched,
never created or forced) and the elastalert target's ConfigMap mode, against the stateful API
server of tests/apply/kube_api.py (recordings of the documented v1.31 API)."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
import yaml

from tests.apply.apply_helpers import HOOK_URL, compile_ok, write_logs_project
from tests.apply.kube_api import KubeApiServer
from tests.apply.test_contract_apply_kubernetes import PREFIX, run

pytestmark = pytest.mark.contract

DEPLOY = "/apis/apps/v1/namespaces/ai/deployments/recommend"
SERVICE = """apiVersion: obs/v1
kind: Service
metadata: {name: recommend, team: data}
spec:
  namespace: ai
  runtime: python
  dashboards: []
  apm: {skywalking: {enabled: true}}
"""
WORKLOAD = {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "recommend", "namespace": "ai", "labels": {"app": "recommend"},
                         "managedFields": [{"manager": "kubectl-client-side-apply", "operation": "Update"}]},
            "spec": {"selector": {"matchLabels": {"app": "recommend"}},
                     "template": {"metadata": {"labels": {"app": "recommend"}},
                                  "spec": {"containers": [{"name": "recommend", "image": "shop/recommend:2.1"}]}}}}


@pytest.fixture
def api():
    with KubeApiServer(PREFIX) as server:
        yield server


def skywalking_project(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "obs.yaml").write_text("apiVersion: obs/v1\nkind: Project\nmetadata: {name: demo}\nspec:\n"
                                   "  sources: ['*.yaml']\n  targets: [skywalking]\n  environments:\n    local:\n"
                                   "      kubernetes: {context: ci, kubeconfig: {env: KUBECONFIG_FILE}}\n")
    (root / "svc.yaml").write_text(SERVICE)
    compile_ok(root)
    return root


def test_contract_a_skywalking_patch_is_applied_to_the_live_workload_unforced_and_then_up_to_date(tmp_path, api):
    root = skywalking_project(tmp_path)
    api.put(DEPLOY, WORKLOAD)
    first = run(root, api, "apply")
    assert first.returncode == 0, first.stdout + first.stderr
    assert re.search(r"~ Deployment/ai/recommend +SkyWalking patch not in the live workload", first.stdout)
    patches = [r for r in api.writes() if r.path == PREFIX + DEPLOY]
    assert [r.query.get("dryRun") for r in patches] == [["All"], None]
    assert all("force" not in r.query for r in patches)  # the team's workload: conflicts are reported, not taken
    live = api.objects[DEPLOY]
    [container] = live["spec"]["template"]["spec"]["containers"]
    assert container["image"] == "shop/recommend:2.1"  # the team's fields stay
    assert {"name": "SW_AGENT_NAME", "value": "ai::recommend"} in container["env"]
    assert "app.kubernetes.io/managed-by" not in live["metadata"]["labels"]  # obs patches it, does not own it
    second = run(root, api, "apply")
    assert second.returncode == 0 and "No changes" in second.stdout
    assert run(root, api, "apply", "--prune").returncode == 0 and DEPLOY in api.objects  # never pruned


def test_contract_a_skywalking_patch_of_a_missing_workload_is_refused_in_the_dry_run(tmp_path, api):
    root = skywalking_project(tmp_path)
    r = run(root, api, "apply")
    assert r.returncode == 1
    [line] = [x for x in r.stderr.splitlines() if "error[" in x]
    assert "error[AP005]" in line and "Deployment ai/recommend is not in the cluster" in line
    assert api.writes() == [] and DEPLOY not in api.objects


def test_contract_elastalert_rules_into_the_configmap_the_deployment_mounts(tmp_path, api):
    env = ("kubernetes: {context: ci, kubeconfig: {env: KUBECONFIG_FILE}}\n"
           "elastalert: {configMap: {env: EA_CONFIGMAP}, namespace: {env: EA_NAMESPACE}}")
    root = write_logs_project(tmp_path / "repo", ["errors"], env, targets="elastalert")
    compile_ok(root)
    names = {"EA_CONFIGMAP": "elastalert-rules-prod", "EA_NAMESPACE": "logging"}
    r = run(root, api, "apply", **names)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "elastalert → ConfigMap elastalert-rules-prod" in r.stdout
    assert "+ ConfigMap/logging/elastalert-rules-prod" in r.stdout
    assert "kubernetes" in r.stdout and "elastalert-rules " not in r.stdout  # not applied twice
    cm = api.objects["/api/v1/namespaces/logging/configmaps/elastalert-rules-prod"]
    assert any("${WEB_HOOK_URL}" in v for v in cm["data"].values())  # ElastAlert expands placeholders itself
    assert HOOK_URL not in str(cm)
    again = run(root, api, "apply", "--prune", **names)
    assert again.returncode == 0 and "No changes" in again.stdout  # the kubernetes target does not prune it
    assert "/api/v1/namespaces/logging/configmaps/elastalert-rules-prod" in api.objects


LABELS = {"app.kubernetes.io/managed-by": "obs", "obs.dev/project": "demo"}
NOTIFICATION = [
    {"apiVersion": "notification.kubesphere.io/v2beta2", "kind": "Receiver",
     "metadata": {"name": "demo-web-hook", "labels": {**LABELS, "type": "global"}},
     "spec": {"webhook": {"enabled": True, "webhookConfigSelector": {"matchLabels": {"type": "default"}}}}},
    {"apiVersion": "notification.kubesphere.io/v2beta2", "kind": "Config",
     "metadata": {"name": "demo-web-hook", "labels": {**LABELS, "type": "default"}},
     "spec": {"webhook": {}}},
    {"apiVersion": "notification.kubesphere.io/v2beta2", "kind": "Router",  # cluster-scoped by discovery only
     "metadata": {"name": "demo-web", "labels": LABELS}, "spec": {"receivers": {"name": ["demo-web-hook"]}}},
    {"apiVersion": "monitoring.coreos.com/v1alpha1", "kind": "AlertmanagerConfig",
     "metadata": {"name": "demo-web", "namespace": "web", "labels": LABELS},
     "spec": {"route": {"receiver": "web-hook", "matchers": [{"name": "team", "value": "web"}]},
              "receivers": [{"name": "web-hook"}]}},
]


def with_outputs(root, docs: list[dict]) -> None:
    """Add out/kubernetes/notification-manager.yaml as a compile target would (listed in the manifest),
    standing in for the outputs another target adds: the pusher handles kinds by apiVersion/kind."""
    text = yaml.safe_dump_all(docs, sort_keys=True).encode()
    (root / "out/kubernetes").mkdir(parents=True, exist_ok=True)
    (root / "out/kubernetes/notification-manager.yaml").write_bytes(text)
    manifest = json.loads((root / "out/manifest.json").read_text())
    manifest["outputs"].append({"path": "kubernetes/notification-manager.yaml", "target": "notification-manager",
                                "sha256": hashlib.sha256(text).hexdigest(), "sources": []})
    (root / "out/manifest.json").write_text(json.dumps(manifest))


def test_contract_notification_objects_of_any_kind_are_applied_by_scope_and_pruned(tmp_path, api):
    root = skywalking_project(tmp_path)
    api.put(DEPLOY, WORKLOAD)
    with_outputs(root, NOTIFICATION)
    first = run(root, api, "apply")
    assert first.returncode == 0, first.stdout + first.stderr
    for key in ("+ Receiver/demo-web-hook", "+ Config/demo-web-hook", "+ AlertmanagerConfig/web/demo-web"):
        assert key in first.stdout
    assert "warning[" not in first.stderr
    real = [r.path[len(PREFIX):] for r in api.writes() if r.query.get("dryRun") != ["All"]]
    assert real == ["/apis/notification.kubesphere.io/v2beta2/configs/demo-web-hook",  # cluster-scoped
                    "/apis/notification.kubesphere.io/v2beta2/receivers/demo-web-hook",  # after its Config
                    "/apis/monitoring.coreos.com/v1alpha1/namespaces/web/alertmanagerconfigs/demo-web",
                    "/apis/notification.kubesphere.io/v2beta2/routers/demo-web",  # by discovery's scope
                    DEPLOY]  # workload patches last
    again = run(root, api, "diff")  # the Router, listed without a namespace, is not taken for an orphan
    assert again.returncode == 0 and "No changes" in again.stdout and "?" not in again.stdout
    compile_ok(root)  # out/ without them again: this project's objects of those kinds are pruned
    r = run(root, api, "apply", "--prune")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "- Receiver/demo-web-hook" in r.stdout and "- Config/demo-web-hook" in r.stdout
    deletes = [x.path[len(PREFIX):] for x in api.writes() if x.method == "DELETE" and not x.query.get("dryRun")]
    assert deletes == [  # in reverse write order: a Receiver before the Config it selects
        "/apis/monitoring.coreos.com/v1alpha1/namespaces/web/alertmanagerconfigs/demo-web",
        "/apis/notification.kubesphere.io/v2beta2/routers/demo-web",
        "/apis/notification.kubesphere.io/v2beta2/receivers/demo-web-hook",
        "/apis/notification.kubesphere.io/v2beta2/configs/demo-web-hook"]
    assert not any("/receivers/" in p or "/configs/" in p or "alertmanagerconfigs/" in p for p in api.objects)
    assert DEPLOY in api.objects


def test_contract_a_placeholder_outside_a_secret_is_a_warning_naming_the_object(tmp_path, api):
    root = skywalking_project(tmp_path)
    api.put(DEPLOY, WORKLOAD)
    receiver = json.loads(json.dumps(NOTIFICATION[0]))
    receiver["spec"] = {"webhook": {"enabled": True, "url": "${HOOK_URL}"}}
    with_outputs(root, [receiver])
    r = run(root, api, "diff")
    assert r.returncode == 1
    [line] = [x for x in r.stderr.splitlines() if "warning[" in x]
    assert line.startswith("out/kubernetes/notification-manager.yaml") and "warning[AP013]" in line
    assert "Receiver/demo-web-hook holds a ${VAR} placeholder" in line
