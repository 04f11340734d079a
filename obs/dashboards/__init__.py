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
    """The link to a generated dashboard, when obs.yaml says where Grafana is: defaults.grafana.url,
    else the one Grafana URL its environments write literally (several different: no link)."""
    base = catalog.defaults.grafana.url or grafana_url(catalog)
    return f"{base.rstrip('/')}/d/{dashboard_uid(service, template)}" if base else None


def grafana_url(catalog: Catalog) -> str | None:
    urls = {env.grafana.url.rstrip("/") for env in catalog.project.spec.environments.values()
            if env.grafana is not None and isinstance(env.grafana.url, str)}
    return urls.pop() if len(urls) == 1 else None
