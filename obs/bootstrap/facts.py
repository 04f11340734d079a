"""What a profile is told about the project: names, labels and paths of what `obs compile`
writes (read from the compiled artifacts, so the stack loads exactly those), and the paths and
URLs of one environment of obs.yaml (the ones `obs apply` writes to)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from obs.pipeline import Build
from obs.project import Environment
from obs.targets.grafana import SIDECAR_LABEL

#: compiled outputs a profile reads; notification-manager.yaml comes from the notification-manager
#: target where this obs has it (docs/bootstrap.md)
RULES_CONFIGMAP = "kubernetes/elastalert-rules.yaml"
NOTIFICATION_MANAGER = "kubernetes/notification-manager.yaml"
ALERTMANAGER_CONFIG = "alertmanager/alertmanager.yaml"
ALERTMANAGER_SECRET = "kubernetes/alertmanager.yaml"


def facts(build: Build, environment: Environment | None) -> dict[str, Any]:
    spec = build.project.spec
    d = spec.defaults
    compiled = {a.path: a.content for a in build.artifacts}
    services = [{
        "name": s.name,
        "namespace": s.namespace,
        "runtime": s.runtime,
        "skywalking": s.apm.mode if s.apm is not None else None,
    } for s in sorted(build.catalog.services.values(), key=lambda s: s.name)]
    return {
        "project": build.project.name,
        "namespace": d.kubernetes.namespace,
        "ruleLabels": dict(d.kubernetes.ruleLabels),
        "labels": dict(d.labels),
        "scrapeInterval": d.prometheus.scrapeInterval,
        "logIndex": d.logs.index,
        "timestampField": d.logs.timestampField,
        "grafana": {"datasource": d.grafana.datasource, "folderAnnotation": d.grafana.folderAnnotation,
                    "sidecarLabel": SIDECAR_LABEL},
        "alertmanager": _alertmanager(compiled),
        "elastalert": {"configMap": _name_of(compiled.get(RULES_CONFIGMAP)) or "elastalert-rules"},
        "services": services,
        "notificationManager": _objects(compiled.get(NOTIFICATION_MANAGER)),
        "alertmanagerConfig": (compiled[ALERTMANAGER_CONFIG].decode("utf-8") if ALERTMANAGER_CONFIG in compiled
                               else None),
        "environment": environment_facts(build.root, environment),
    }


def _alertmanager(compiled: dict[str, bytes]) -> dict[str, Any]:
    """The Secret compile writes alertmanager.yaml into (mode `secret`), and the labels of the
    AlertmanagerConfig objects it writes instead (mode `alertmanagerconfig`, kubernetes/alertmanagerconfig-*)."""
    secret = next((o["metadata"]["name"] for o in _objects(compiled.get(ALERTMANAGER_SECRET))
                   if o.get("kind") == "Secret" and "alertmanager.yaml" in (o.get("stringData") or {})), None)
    configs = [o for path in sorted(compiled) if path.startswith("kubernetes/alertmanagerconfig-")
               for o in _objects(compiled[path]) if o.get("kind") == "AlertmanagerConfig"]
    return {"secretName": secret,
            "configs": [{"name": o["metadata"]["name"], "labels": o["metadata"].get("labels") or {}} for o in configs]}


def _objects(content: bytes | None) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(content) if isinstance(doc, dict)] if content else []


def _name_of(content: bytes | None) -> str | None:
    objects = _objects(content)
    return objects[0].get("metadata", {}).get("name") if objects else None


def environment_facts(root: Path, env: Environment | None) -> dict[str, str | None]:
    """The environment's folders (absolute, as `obs apply` resolves them against the project) and URLs."""
    def value(server: Any, key: str) -> str | None:
        raw = getattr(server, key, None) if server is not None else None
        return raw if raw is None or isinstance(raw, str) else raw.resolve()

    def folder(server: Any, key: str) -> str | None:
        raw = value(server, key)
        return None if raw is None else str((root / Path(raw).expanduser()).resolve())

    e = env or Environment()
    return {
        "prometheusRulesDir": folder(e.prometheus, "rulesDir"),
        "prometheusUrl": value(e.prometheus, "url"),
        "alertmanagerConfigFile": folder(e.alertmanager, "configFile"),
        "alertmanagerUrl": value(e.alertmanager, "url"),
        "elastalertRulesDir": folder(e.elastalert, "rulesDir"),
        # in Kubernetes, the ConfigMap `obs apply --target elastalert` writes the rules into
        "elastalertConfigMap": value(e.elastalert, "configMap"),
        "elastalertNamespace": value(e.elastalert, "namespace"),
        "elasticsearchUrl": value(e.elasticsearch, "url") or value(e.opensearch, "url"),
    }
