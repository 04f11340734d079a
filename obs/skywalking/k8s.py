"""Strategic-merge patches for a workload's pod template, and the subset of the merge obs applies
itself to write the fully patched workload (the same result `kubectl kustomize` gives).

Lists of containers, init containers, volumes and env merge by `name`, volume mounts by
`mountPath`; other lists are replaced — Kubernetes' own patch strategy for these fields.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from obs.load.convert import plain  # noqa: F401 - the loader's PosDict/PosList dropped
from obs.targets.k8s import PROJECT_LABEL

INJECTED_ANNOTATION = "obs.dev/skywalking"
MERGE_KEYS = {"containers": "name", "initContainers": "name", "volumes": "name", "env": "name",
              "volumeMounts": "mountPath"}


@dataclass(frozen=True)
class Container:
    """The container to inject: its name, whether that name is certain, and what the file says of it."""

    name: str
    explicit: bool
    spec: dict | None = None

    def env_value(self, name: str) -> str | None:
        for item in (self.spec or {}).get("env") or []:
            if isinstance(item, dict) and item.get("name") == name:
                return item.get("value")
        return None


def env_list(env: dict[str, Any]) -> list[dict]:
    """EnvVars; a secret reference becomes valueFrom.secretKeyRef, so no value is written."""
    return [{"name": k, "value": v} if isinstance(v, str) else
            {"name": k, "valueFrom": {"secretKeyRef": {"name": v.secret.name, "key": v.secret.key}}}
            for k, v in env.items()]


def merge_tokens(existing: str | None, ours: list[str], is_ours: Callable[[str], bool]) -> str:
    """Append our options to an existing value, replacing what an earlier injection put there."""
    kept = [t for t in (existing or "").split() if not is_ours(t)]
    return " ".join([*kept, *ours])


def pod_patch(plan: Any, labels: dict | None = None, annotations: dict | None = None,
              init_containers: list | None = None, containers: list | None = None,
              volumes: list | None = None) -> dict:
    """A patch of the workload named by the service, touching only the pod template parts given."""
    meta: dict = {}
    if labels:
        meta["labels"] = labels
    if annotations:
        meta["annotations"] = annotations
    spec: dict = {}
    for key, value in (("initContainers", init_containers), ("containers", containers), ("volumes", volumes)):
        if value:
            spec[key] = value
    template: dict = {}
    if meta:
        template["metadata"] = meta
    if spec:
        template["spec"] = spec
    workload = plan.service.workload
    return {"apiVersion": "apps/v1", "kind": workload.kind,
            "metadata": {"name": plan.workload_name,
                         # the namespace makes the patch a complete address for `obs apply` (kustomize
                         # matches by the kustomization's target and ignores it)
                         **({"namespace": plan.service.namespace} if plan.service.namespace else {}),
                         "annotations": {INJECTED_ANNOTATION: plan.agent, PROJECT_LABEL: plan.project}},
            "spec": {"template": template}}


def merge(base: Any, patch: Any, field: str | None = None) -> Any:
    """Strategic merge of `patch` into `base` for the fields a SkyWalking patch uses."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = copy.deepcopy(base)
        for key, value in patch.items():
            out[key] = merge(base[key], value, key) if key in base else copy.deepcopy(value)
        return out
    if isinstance(base, list) and isinstance(patch, list) and field in MERGE_KEYS:
        key = MERGE_KEYS[field]
        ours = {item.get(key) for item in patch}
        by_key = {b.get(key): b for b in base if isinstance(b, dict)}
        merged = [merge(by_key[i.get(key)], i) if i.get(key) in by_key else copy.deepcopy(i) for i in patch]
        # kustomize puts the patch's items first, then the others in their order
        return merged + [copy.deepcopy(b) for b in base if not (isinstance(b, dict) and b.get(key) in ours)]
    return copy.deepcopy(patch)
