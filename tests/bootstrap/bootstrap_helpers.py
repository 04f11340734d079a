"""Rendering a profile as a user would (`python -m obs bootstrap`) and checking Kubernetes objects
against the schemas: kubernetes-validate's bundled Kubernetes schemas (strict), and for CRDs the
CRD schemas of tests/schemas that the compile targets are tested with."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import kubernetes_validate
import yaml

from tests.helpers import REPO, run_obs

#: the Kubernetes release whose schemas the objects must pass (docs/bootstrap.md)
KUBERNETES_VERSION = "1.30.0"
SCHEMAS = REPO / "tests" / "schemas"
#: API groups kubernetes-validate has schemas for (built-in resources)
BUILT_IN = ("v1", "apps/v1", "rbac.authorization.k8s.io/v1", "batch/v1", "networking.k8s.io/v1", "policy/v1")
OBS_LABELS = {"app.kubernetes.io/managed-by": "obs"}


def render(project: Path, profile: str, out: Path, *args: str):
    result = run_obs("bootstrap", "-p", profile, "-o", str(out), *args, cwd=project)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def render_here(project: Path, profile: str, out: Path, *sets: str, env: str | None = None) -> list[str]:
    """The same in this process (no interpreter start): the rendered diagnostics, one line each."""
    from obs.commands.bootstrap import bootstrap
    diags, written = bootstrap(project, profile, out, list(sets), env)
    assert written is not None, [d.render() for d in diags]
    return [d.render() for d in diags]


def files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def objects(out: Path) -> list[tuple[str, dict]]:
    """(file, object) for every Kubernetes object of the YAML files (not the kustomization)."""
    found = []
    for rel, data in files(out).items():
        if rel.endswith(".yaml") and rel != "kustomization.yaml":
            found += [(rel, doc) for doc in yaml.safe_load_all(data) if isinstance(doc, dict)]
    return found


#: CRD kinds → the schema file of tests/schemas their compile target is tested with
CRD_SCHEMAS = {
    ("monitoring.coreos.com", "PrometheusRule"): "prometheusrule.json",
    ("monitoring.coreos.com", "AlertmanagerConfig"): "alertmanagerconfig.json",
    ("notification.kubesphere.io", "Receiver"): "notification-manager-receiver.json",
    ("notification.kubesphere.io", "Config"): "notification-manager-config.json",
    ("alerting.kubesphere.io", "ClusterRuleGroup"): "kubesphere-rulegroup.json",
}


def crd_schema(api_version: str, kind: str) -> jsonschema.Draft202012Validator:
    name = CRD_SCHEMAS.get((api_version.split("/")[0], kind))
    assert name and (SCHEMAS / name).is_file(), f"no CRD schema for {api_version} {kind} in tests/schemas"
    return jsonschema.Draft202012Validator(json.loads((SCHEMAS / name).read_text()))


def validate(obj: dict) -> list[str]:
    """Why `obj` is not a valid object, or [] when it is."""
    if obj.get("apiVersion") in BUILT_IN:
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as e:
            return [f"{obj['kind']}/{obj['metadata']['name']}: {e.message} at {list(e.path)}"]
        return []
    schema = crd_schema(obj["apiVersion"], obj["kind"])
    return [f"{obj['kind']}/{obj['metadata']['name']}: {e.message}" for e in schema.iter_errors(obj)]
