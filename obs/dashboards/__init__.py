"""Dashboards: stable uids and links, shared by the grafana target and the alerts that link to it."""

from __future__ import annotations

import hashlib

from obs.catalog import Catalog

MAX_UID = 40  # Grafana's limit


def dashboard_uid(service: str, template: str) -> str:
    """A stable uid from service and template names: readable, and hashed only when too long."""
    uid = f"obs-{service}-{template}"
    if len(uid) <= MAX_UID:
        return uid
    digest = hashlib.sha256(uid.encode()).hexdigest()[:8]
    return f"{uid[:MAX_UID - 9]}-{digest}"


def dashboard_url(catalog: Catalog, service: str, template: str) -> str | None:
    """The link to a generated dashboard, when obs.yaml says where Grafana is (defaults.grafana.url)."""
    base = catalog.defaults.grafana.url
    return f"{base.rstrip('/')}/d/{dashboard_uid(service, template)}" if base else None
