"""Dashboard JSON as obs writes it: stable bytes, stable uids, and the per-environment datasource.

Compile writes the datasource uid of `defaults.grafana.datasource` (as the default of the
`${datasource}` variable of generated dashboards); an environment whose `grafana.datasource`
differs gets it swapped in at apply time by `with_datasource`, so out/ stays one set of files
for every environment.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import PurePosixPath
from typing import Any

from obs import jsonindent
from obs.dashboards import MAX_UID
from obs.targets.k8s import dns_name

UID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_SUFFIXES = (".dashboard.py", ".jsonnet", ".libsonnet", ".json", ".py")


#: what grafanalib writes on every panel and query that Grafana does not need: pre-8 fields,
#: and maxDataPoints 100 (which would cap every time series at 100 points)
_NOISE = {"cacheTimeout", "editable", "error", "height", "hideTimeOverride", "interval", "links", "maxDataPoints",
          "maxPerRow", "minSpan", "repeat", "repeatDirection", "span", "timeFrom", "timeShift", "transformations",
          "transparent", "intervalFactor", "metric", "query", "step", "target", "hide", "columns", "fontSize"}
_DEFAULTS = {"editable": True, "error": False, "hideTimeOverride": False, "links": [], "maxDataPoints": 100,
             "transformations": [], "transparent": False, "intervalFactor": 2, "metric": "", "target": "",
             "step": 10, "hide": False, "interval": "", "columns": [], "fontSize": "100%"}


def tidy(dashboard: dict) -> dict:
    """A generated dashboard without grafanalib's noise: nulls (threshold bases excepted) and
    panel or query fields left at grafanalib's defaults. A third smaller, and what Grafana
    itself would save."""
    out = {k: v for k, v in dashboard.items() if v is not None}
    out["panels"] = [_tidy_panel(p) for p in dashboard.get("panels") or []]
    return out


def _tidy_panel(node: Any) -> Any:
    if isinstance(node, list):
        return [_tidy_panel(v) if isinstance(v, _NESTED) else v for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if value is None and key != "value":
            continue
        if key in _NOISE:
            # grafanalib's `query` on panels is noise; an Elasticsearch target's is its Lucene query
            noise = key == "query" and "bucketAggs" not in node
            if value is None or _DEFAULTS.get(key, _MISSING) == value or noise:
                continue
        out[key] = _tidy_panel(value) if isinstance(value, _NESTED) else value
    return out


_NESTED = (dict, list)
_MISSING = object()


def render(data: dict) -> str:
    """out/grafana/<uid>.json: sorted keys, two spaces, a trailing newline."""
    return jsonindent.dumps(data, sort_keys=True) + "\n"


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
    """A ConfigMap name for a uid: lowercase DNS-1123, with a hash when the uid had to change, so
    `team_a`, `team-a` and `Team-a` never overwrite each other's ConfigMap."""
    return dns_name("grafana-dashboard", uid)


def with_datasource(data: dict, uid: str, compiled: str = "prometheus") -> dict:
    """A copy with every Prometheus datasource reference of uid `compiled` pointing at `uid`, and
    Prometheus datasource variables that default to `compiled` defaulting to `uid`."""
    result = copy.deepcopy(data)
    _swap(result, uid, compiled)
    for variable in (result.get("templating") or {}).get("list") or []:
        current = variable.get("current") if isinstance(variable, dict) else None
        if (variable.get("type") == "datasource" and variable.get("query") == "prometheus"
                and isinstance(current, dict) and current.get("value") == compiled):
            variable["current"] = {**current, "text": uid, "value": uid}
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
