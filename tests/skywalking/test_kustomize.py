"""Real peers: `kubectl kustomize` builds every output, the result is what obs wrote as the patched
workload, a second application changes nothing, and the objects pass the Kubernetes schemas."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from tests.skywalking.conftest import kustomize, load

K8S_VERSION = "1.30.0"
WITH_FILE = ["order", "gateway", "search", "ranker", "web"]
WITHOUT_FILE = ["billing", "checkout", "recommend"]


@pytest.mark.parametrize("service", WITH_FILE)
def test_kustomize_builds_the_patched_workload(kubectl, out_dir, service):
    folder = out_dir / "skywalking" / service
    built = kustomize(kubectl, folder)
    assert built == [load((folder / "patched-workload.yaml").read_text())]


@pytest.mark.parametrize("service", WITH_FILE)
def test_patching_an_injected_workload_changes_nothing(kubectl, out_dir, tmp_path, service):
    folder = out_dir / "skywalking" / service
    again = shutil.copytree(folder, tmp_path / service)
    shutil.copy(folder / "patched-workload.yaml", again / "workload.yaml")
    assert kustomize(kubectl, again) == [load((folder / "patched-workload.yaml").read_text())]


@pytest.mark.parametrize("service", WITH_FILE)
def test_patched_workloads_pass_the_kubernetes_schemas(out_dir, service):
    doc = load((out_dir / "skywalking" / service / "patched-workload.yaml").read_text())
    kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_schema_validation_can_fail(out_dir):
    doc = load((out_dir / "skywalking" / "order" / "patched-workload.yaml").read_text())
    doc["spec"]["template"]["spec"]["initContainers"][0]["mountPath"] = "/sky"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def _team_kustomization(tmp_path: Path, out_dir: Path, service: str, workload: dict) -> Path:
    team = tmp_path / "team"
    team.mkdir()
    (team / "workload.yaml").write_text(yaml.safe_dump(workload))
    (team / "kustomization.yaml").write_text(yaml.safe_dump(
        {"resources": ["workload.yaml"], "components": [os.path.relpath(out_dir / "skywalking" / service, team)]}))
    return team


def _workload(kind: str, name: str, containers: list[str]) -> dict:
    spec = {"selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": c, "image": f"example/{c}:1"} for c in containers]}}}
    if kind == "StatefulSet":
        spec["serviceName"] = name
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": "shop"}, "spec": spec}


@pytest.mark.parametrize("service,kind", [("billing", "StatefulSet"), ("checkout", "Deployment"),
                                          ("recommend", "Deployment")])
def test_components_patch_the_teams_own_kustomization(kubectl, out_dir, tmp_path, service, kind):
    team = _team_kustomization(tmp_path, out_dir, service, _workload(kind, service, [service, "sidecar"]))
    [built] = kustomize(kubectl, team)
    kubernetes_validate.validate(built, K8S_VERSION, strict=True)
    pod = built["spec"]["template"]
    containers = {c["name"]: c for c in pod["spec"]["containers"]}
    assert containers["sidecar"] == {"name": "sidecar", "image": "example/sidecar:1"}
    assert built["spec"]["selector"] == {"matchLabels": {"app": service}}
    if service == "checkout":
        assert pod["metadata"]["labels"]["swck-java-agent-injected"] == "true"
    else:
        assert "SW_AGENT_NAME" in {e["name"] for e in containers[service]["env"]}


def test_kustomizations_carry_obs_labels_but_the_workload_does_not(kubectl, out_dir):
    kust = load((out_dir / "skywalking" / "order" / "kustomization.yaml").read_text())
    assert kust["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "obs", "obs.dev/project": "shop"}
    [built] = kustomize(kubectl, out_dir / "skywalking" / "order")
    assert "app.kubernetes.io/managed-by" not in built["metadata"].get("labels", {})
    assert built["metadata"]["annotations"]["obs.dev/project"] == "shop"
