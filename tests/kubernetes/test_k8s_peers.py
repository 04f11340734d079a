"""Real tools on the written files: `obs compile` as a user runs it, `kubectl kustomize` building
every Kubernetes object obs wrote (kubectl's `apply --dry-run=client` needs an API server even
for discovery, so it cannot run here; kustomize reads, checks ids and writes offline)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml
from k8s_helpers import compiled, run_obs, set_defaults


def kustomize(kubectl: str, folder: Path, files: list[str]) -> subprocess.CompletedProcess:
    (folder / "kustomization.yaml").write_text(yaml.safe_dump({"resources": files}))
    return subprocess.run([kubectl, "kustomize", str(folder)], capture_output=True, text=True, timeout=60)


def test_obs_compile_writes_objects_kustomize_builds(pay, kubectl):
    run = run_obs("compile", cwd=pay)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    folder = pay / "out" / "kubernetes"
    files = sorted(p.name for p in folder.glob("*.yaml"))
    assert files == ["kubesphere-node-disks.yaml", "kubesphere-payments.yaml",
                     "prometheusrule-node-disks.yaml", "prometheusrule-payments.yaml"]
    built = kustomize(kubectl, folder, files)
    assert built.returncode == 0, built.stderr
    kinds = sorted((d["kind"], d["metadata"]["name"]) for d in yaml.safe_load_all(built.stdout))
    assert kinds == [("ClusterRuleGroup", "pay-node-disks"), ("ClusterRuleGroup", "pay-payments-alerts"),
                     ("ClusterRuleGroup", "pay-payments-recordings"), ("PrometheusRule", "pay-node-disks"),
                     ("PrometheusRule", "pay-payments"), ("RuleGroup", "pay-payments-alerts")]
    # the same object twice is what kustomize refuses: the check above can fail
    (folder / "copy.yaml").write_text((folder / files[0]).read_text())
    clash = kustomize(kubectl, folder, files + ["copy.yaml"])
    assert clash.returncode != 0 and "already registered id" in clash.stderr


def test_shop_objects_build_together(shop, kubectl, tmp_path):
    result = compiled(shop)
    folder = tmp_path / "kubernetes"
    folder.mkdir()
    files = []
    for a in result.artifacts:
        if a.path.startswith("kubernetes/") and a.target in ("prometheus-operator", "kubesphere"):
            (folder / Path(a.path).name).write_bytes(a.content)
            files.append(Path(a.path).name)
    assert files
    built = kustomize(kubectl, folder, sorted(files))
    assert built.returncode == 0, built.stderr
    docs = list(yaml.safe_load_all(built.stdout))
    expected = sum(len([d for d in yaml.safe_load_all((folder / f).read_text()) if d]) for f in files)
    assert len(docs) == expected


def test_compile_refuses_kubesphere_without_a_home_for_recordings(pay):
    set_defaults(pay, targets=["kubesphere"])
    run = run_obs("compile", cwd=pay)
    assert run.returncode == 1
    assert "Traceback" not in run.stdout + run.stderr
    lines = [x for x in (run.stdout + run.stderr).splitlines() if "KB003" in x]
    assert len(lines) == 1 and lines[0].startswith("obs.yaml:") and "error[KB003]" in lines[0]
    assert not (pay / "out" / "kubernetes").exists()
