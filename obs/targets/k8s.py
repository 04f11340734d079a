"""Kubernetes object conventions shared by every target that writes to out/kubernetes/.

Every object carries `app.kubernetes.io/managed-by: obs` and `obs.dev/project: <name>`
(SPEC §2.1), which is also how `obs apply --prune` will recognise what obs owns.
"""

from __future__ import annotations

import hashlib
import re

from obs.catalog import Catalog

MANAGED_BY = "app.kubernetes.io/managed-by"
PROJECT_LABEL = "obs.dev/project"
SOURCE_ANNOTATION = "obs.dev/source"
_DNS_INVALID = re.compile(r"[^a-z0-9-]+")


def metadata(catalog: Catalog, name: str, namespace: str | None = None, labels: dict[str, str] | None = None,
             annotations: dict[str, str] | None = None) -> dict:
    """ObjectMeta with obs's ownership labels; the namespace defaults to defaults.kubernetes.namespace."""
    k8s = catalog.defaults.kubernetes
    meta: dict = {"name": name, "namespace": namespace or k8s.namespace,
                  "labels": {**k8s.labels, **(labels or {}), MANAGED_BY: "obs", PROJECT_LABEL: catalog.name}}
    if annotations:
        meta["annotations"] = dict(sorted(annotations.items()))
    return meta


def dns_name(*parts: str, limit: int = 253) -> str:
    """A DNS-1123 name (no dots) built from `parts`; a hash suffix keeps names apart that had to be
    changed (`a_b` and `a-b`, `A` and `a` never become one object)."""
    raw = "-".join(parts)
    name = _DNS_INVALID.sub("-", raw.lower())
    name = re.sub(r"-{2,}", "-", name).strip("-") or "rules"
    if name != raw or len(name) > limit:
        suffix = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:8]
        name = f"{name[:limit - 9].rstrip('-')}-{suffix}"
    return name
