"""The workload's own manifest (`spec.workload.file`): read with the loader's limits, the named
workload found in it, and the container to inject chosen — by name, else the first one.

Without a file the container is the one the user named, else one named like the service (a
guess the output says it made); problems are diagnostics at the `file:` or `container:` line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from obs.catalog import Catalog
from obs.diagnostics import Diagnostics, ObsError
from obs.load.yamlpos import load_documents
from obs.skywalking.k8s import Container, plain
from obs.skywalking.settings import CONTAINER, WORKLOAD_FILE, Plan


@dataclass(frozen=True)
class Source:
    path: str  # as written in spec.workload.file
    document: dict  # the workload, plain
    container: Container


def container_without_file(plan: Plan) -> Container:
    if plan.container:
        return Container(plan.container, True)
    return Container(plan.service.name, False)


def load(catalog: Catalog, plan: Plan, diags: Diagnostics) -> Source | None:
    """The workload from spec.workload.file, or None after one diagnostic at `file:`."""
    workload = plan.service.workload
    rel = workload.file or ""
    pos = workload.pos_of("file")
    root = catalog.root.resolve()
    path = (root / rel).resolve()
    if Path(rel).is_absolute() or not path.is_relative_to(root):
        diags.error(WORKLOAD_FILE, f"{rel!r} is outside the project; spec.workload.file is relative to obs.yaml's "
                    "folder", pos)
        return None
    try:
        docs, _ = load_documents(path.read_bytes(), rel)
    except OSError as e:
        diags.error(WORKLOAD_FILE, f"cannot read {rel}: {e.strerror or e}", pos)
        return None
    except ObsError as e:
        d = e.diagnostics[0]
        diags.error(WORKLOAD_FILE, f"{rel} is not a readable manifest: {d.message} (at {d.pos})", pos)
        return None
    name = plan.workload_name
    objects = list(_objects(d for d, _ in docs))
    found = [d for d in objects if d.get("kind") == workload.kind
             and isinstance(d.get("metadata"), dict) and d["metadata"].get("name") == name]
    if not found:
        have = sorted(f"{d.get('kind')}/{(d.get('metadata') or {}).get('name')}" for d in objects
                      if isinstance(d.get("metadata") or {}, dict))
        diags.error(WORKLOAD_FILE, f"{rel} has no {workload.kind} named {name!r}"
                    + (f" (it has {', '.join(have)})" if have else ""), pos)
        return None
    doc = plain(found[0])
    ns = (doc.get("metadata") or {}).get("namespace")
    if ns and plan.service.namespace and ns != plan.service.namespace:
        diags.error(WORKLOAD_FILE, f"{workload.kind}/{name} in {rel} is in namespace {ns!r}, the service in "
                    f"{plan.service.namespace!r}", pos)
        return None
    containers = (((doc.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []
    containers = [c for c in containers if isinstance(c, dict) and c.get("name")]
    if not containers:
        diags.error(WORKLOAD_FILE, f"{workload.kind}/{name} in {rel} has no containers", pos)
        return None
    if plan.container is None:
        return Source(rel, doc, Container(containers[0]["name"], True, containers[0]))
    chosen = next((c for c in containers if c["name"] == plan.container), None)
    if chosen is None:
        raw = plan.service.spec.apm.skywalking  # type: ignore[union-attr]
        where = raw.pos_of("container") if raw.container else workload.pos_of("container")
        diags.error(CONTAINER, f"{workload.kind}/{name} in {rel} has no container {plan.container!r} (it has "
                    f"{', '.join(c['name'] for c in containers)})", where)
        return None
    return Source(rel, doc, Container(chosen["name"], True, chosen))


def _objects(documents: Iterable[object]) -> Iterator[dict]:
    """The objects of the file's documents, a List's items (as `kubectl get -o yaml` writes) included."""
    for doc in documents:
        if not isinstance(doc, dict):
            continue
        if str(doc.get("kind", "")).endswith("List") and isinstance(doc.get("items"), list):
            yield from (item for item in doc["items"] if isinstance(item, dict))
        else:
            yield doc


def clash(source: Source, patch: dict) -> str | None:
    """What in the workload already uses, for something else, a volume name or mount path the patch
    needs: a strategic merge would fuse the two into an invalid or wrong pod."""
    ours = patch["spec"]["template"].get("spec") or {}
    theirs = ((source.document.get("spec") or {}).get("template") or {}).get("spec") or {}
    volumes = {v.get("name"): v for v in theirs.get("volumes") or [] if isinstance(v, dict)}
    for volume in ours.get("volumes") or []:
        existing = volumes.get(volume["name"])
        if existing is not None and set(existing) - {"name"} != set(volume) - {"name"}:
            kind = ", ".join(sorted(set(existing) - {"name"})) or "source-less"
            return (f"volume {volume['name']!r} of the workload is a {kind} volume; the agent needs that name for "
                    "its emptyDir")
    containers = {c.get("name"): c for c in theirs.get("containers") or [] if isinstance(c, dict)}
    for container in ours.get("containers") or []:
        mounts = {m.get("mountPath"): m for m in (containers.get(container["name"]) or {}).get("volumeMounts") or []
                  if isinstance(m, dict)}
        for mount in container.get("volumeMounts") or []:
            existing = mounts.get(mount["mountPath"])
            if existing is not None and existing.get("name") != mount["name"]:
                return (f"container {container['name']!r} mounts volume {existing.get('name')!r} at "
                        f"{mount['mountPath']}, where the agent mounts {mount['name']!r}")
    return None
