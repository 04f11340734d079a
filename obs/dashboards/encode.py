"""Dashboard JSON as obs writes it: stable bytes, stable uids, and the per-environment datasource.

Compile writes the datasource uid of `defaults.grafana.datasource`; an environment whose
`grafana.datasource` differs gets it swapped in at apply time by `with_datasource`, so out/
stays one set of files for every environment.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import PurePosixPath
from typing import Any

from obs.dashboards import MAX_UID

UID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_SUFFIXES = (".dashboard.py", ".jsonnet", ".libsonnet", ".json", ".py")


def render(data: dict) -> str:
    """out/grafana/<uid>.json: sorted keys, two spaces, a trailing newline."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def compact(data: dict) -> str:
    """The same dashboard in one line, for ConfigMaps (kubectl's 256 KiB annotation limit)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def valid_uid(uid: object) -> bool:
    return isinstance(uid, str) and bool(UID.match(uid))


def custom_uid(project: str, path: str, key: str | None = None) -> str:
    """A uid for a team's dashboard that sets none: project and file (or mixin entry) name."""
    name = key or PurePosixPath(path).name
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    uid = re.sub(r"[^A-Za-z0-9_-]+", "-", f"{project}-{name}").strip("-")
    if len(uid) <= MAX_UID:
        return uid
    return f"{uid[:MAX_UID - 9]}-{hashlib.sha256(uid.encode()).hexdigest()[:8]}"


def k8s_name(uid: str) -> str:
    """A ConfigMap name for a uid: lowercase DNS-1123, `_` as `-`."""
    return re.sub(r"[^a-z0-9-]+", "-", f"grafana-dashboard-{uid}".lower()).strip("-")


def with_datasource(data: dict, uid: str, compiled: str = "prometheus") -> dict:
    """A copy with every Prometheus datasource reference of uid `compiled` pointing at `uid`."""
    result = copy.deepcopy(data)
    _swap(result, uid, compiled)
    return result


def _swap(node: Any, uid: str, compiled: str) -> None:
    if isinstance(node, dict):
        if node.get("type") == "prometheus" and node.get("uid") == compiled and set(node) <= {"type", "uid"}:
            node["uid"] = uid
            return
        for value in node.values():
            _swap(value, uid, compiled)
    elif isinstance(node, list):
        for value in node:
            _swap(value, uid, compiled)
