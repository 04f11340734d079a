"""Targets: one module per output, each `compile(catalog, diags) -> list[Artifact]`.

Targets read only the Catalog. A target that cannot express something it was asked for
reports an error naming itself, never a silently different output.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from obs.catalog import Catalog, Origin
from obs.diagnostics import Diagnostics


@dataclass(frozen=True)
class Artifact:
    """One output file, path relative to out/. `sources` trace it back to the inputs."""

    path: str
    content: bytes
    target: str
    sources: tuple[Origin, ...] = field(default=())

    @staticmethod
    def text(path: str, text: str, target: str, sources: tuple[Origin, ...] | list[Origin] = ()) -> Artifact:
        return Artifact(path, text.encode("utf-8"), target, tuple(sources))


CompileFn = Callable[[Catalog, Diagnostics], list[Artifact]]

#: target name (obs.yaml `targets`) → module in obs.targets
MODULES = {
    "prometheus": "prometheus",
    "prometheus-operator": "kubernetes",
    "kubesphere": "kubesphere",
    "grafana": "grafana",
    "elastalert": "elastalert",
    "watcher": "watcher",
    "opensearch-monitor": "opensearch",
    "skywalking": "skywalking",
    "alertmanager": "alertmanager",
    "notification-manager": "notification_manager",
}


def emitter(target: str) -> CompileFn | None:
    """The compile function of a target, or None while its module is not built."""
    try:
        mod = importlib.import_module(f"obs.targets.{MODULES[target]}")
    except ModuleNotFoundError as e:
        if e.name == f"obs.targets.{MODULES[target]}":
            return None
        raise
    return mod.compile
