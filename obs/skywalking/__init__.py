"""SkyWalking agent injection (SPEC §1.7): per service, a strategic-merge patch of its workload,
plus the workload fully patched when its manifest is given — committed, no webhook needed
(except for `mode: swck`, whose webhook reads the annotations written here).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from obs import codes
from obs.catalog import Catalog
from obs.diagnostics import Diagnostics
from obs.skywalking import java, python, workload
from obs.skywalking.k8s import merge
from obs.skywalking.settings import OPTION, Plan

CLASH = codes.define("SW009", "skywalking/name-clash",
                     "The workload already uses a volume name or mount path the agent needs, for something else.")

#: the variable each agent appends to, which must be a plain value in the manifest
APPENDED = {"init-container": "JAVA_TOOL_OPTIONS", "nodejs": "NODE_OPTIONS", "python": "PYTHONPATH"}


@dataclass
class Injection:
    plan: Plan
    patch: dict
    source: workload.Source | None = None
    patched: dict | None = None
    notes: list[str] = field(default_factory=list)


def inject(catalog: Catalog, plan: Plan, diags: Diagnostics) -> Injection | None:
    source = None
    if plan.service.workload.file:
        source = workload.load(catalog, plan, diags)
        if source is None:
            return None
        target = source.container
    else:
        target = workload.container_without_file(plan)
    if not _plain_value(plan, target.spec, diags):
        return None
    notes: list[str] = []
    if plan.agent == "swck":
        ns = plan.service.namespace or "<namespace>"
        notes.append(f"SWCK injects only in namespaces labelled swck-injection=enabled: "
                     f"kubectl label namespace {ns} swck-injection=enabled")
        patch = java.swck(plan, target)
        if not target.explicit:
            notes.append("no container named: SWCK injects the agent into every container of the pod")
    elif plan.agent == "init-container":
        patch = java.init_container(plan, target)
    elif plan.agent == "python":
        made = python.python(plan, target, diags, notes)
        if made is None:
            return None
        patch = made
    else:
        patch = python.nodejs(plan, target)
    if not target.explicit and (plan.agent != "swck" or plan.sw.env):
        notes.append(f"container name {target.name!r} assumed (the service's name): set spec.workload.container "
                     "or give spec.workload.file, or kustomize adds a container of that name")
    if source is None and plan.agent in ("init-container", "nodejs"):
        notes.append(f"{APPENDED[plan.agent]} holds the agent's options alone: obs cannot see the value in your "
                     "manifest (give spec.workload.file to append to it)")
    if source is not None:
        problem = workload.clash(source, patch)
        if problem:
            diags.error(CLASH, f"{source.path}: {problem}", plan.service.workload.pos_of("file"),
                        hint="rename it in your manifest: obs keeps the agent's names fixed so that injecting "
                             "twice changes nothing")
            return None
    patched = merge(source.document, patch) if source else None
    return Injection(plan, patch, source, patched, notes)


def _plain_value(plan: Plan, container: dict | None, diags: Diagnostics) -> bool:
    """A variable the agent appends to cannot come from valueFrom (obs cannot read it); the Python
    agent installed in the image leaves PYTHONPATH alone."""
    var = APPENDED.get(plan.agent) if plan.agent != "python" or plan.install == "init-container" else None
    for item in (container or {}).get("env") or []:
        if isinstance(item, dict) and item.get("name") == var and "valueFrom" in item:
            diags.error(OPTION, f"{var} of container {container.get('name')!r} in {plan.service.workload.file} "
                        "comes from valueFrom; obs can only append to a literal value",
                        plan.service.workload.pos_of("file"))
            return False
    return True
