"""A profile's parameters: its defaults (params.libsonnet), then obs.yaml's
`spec.bootstrap.<profile>`, then each `--set key=value`. A key the defaults do not have, or a
value of another type, is a usage error; a default that is an empty mapping takes any keys
(a map the user fills, such as standalone's prometheus.targets)."""

from __future__ import annotations

import copy
import json
from typing import Any

import yaml

from obs.bootstrap import BAD_SET, PARAMETER_TYPE, UNKNOWN_PARAMETER
from obs.diagnostics import Diagnostic, Position


def parse_set(text: str) -> tuple[list[str], Any, str] | Diagnostic:
    """`a.b=value` → (["a", "b"], value, "value"); the value is read as YAML (2, true, [x, y])."""
    key, sep, raw = text.partition("=")
    parts = key.strip().split(".")
    if not sep or not all(p.strip() for p in parts):
        return Diagnostic(BAD_SET, f"--set {text!r} is not key=value", config=True,
                          hint="for example --set elastalert.replicas=1 or --set grafana.image=grafana/grafana:11.6.0")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    if value is None:
        value = raw
    return [p.strip() for p in parts], value, raw


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return "null"


def is_map(name: str, default: Any) -> bool:
    return default == {} or (isinstance(default, dict) and name.endswith(("Selector", "Labels")))


def apply(params: dict, defaults: dict, path: list[str], value: Any, where: str, pos: Position | None,
          raw: str | None = None) -> Diagnostic | None:
    """Set `path` to `value` in `params` (in place), or the diagnostic that says why not; `raw` is the
    text of a --set value, kept as text where the default is text (--set image=grafana:11)."""
    node, known, free = params, defaults, False
    for i, part in enumerate(path):
        if not free and (not isinstance(known, dict) or part not in known):
            names = ", ".join(sorted(known)) if isinstance(known, dict) else "none: it is a value"
            return Diagnostic(UNKNOWN_PARAMETER, f"{where}: the profile has no parameter {'.'.join(path[:i + 1])!r}",
                              pos, hint=f"parameters here: {names} (manifests/README.md)", config=True)
        if i == len(path) - 1:
            break
        free = free or is_map(part, known[part])
        known = None if free else known[part]
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            return Diagnostic(PARAMETER_TYPE, f"{where}: {'.'.join(path[:i + 1])} is a value, not a mapping", pos,
                              config=True)
    last = path[-1]
    default = None if free else known.get(last)
    if isinstance(default, str) and raw is not None:
        value = raw
    if default is not None and _kind(default) != _kind(value):
        return Diagnostic(PARAMETER_TYPE, f"{where}: {'.'.join(path)} takes {_kind(default)}, not "
                          f"{_kind(value)}", pos, hint=f"the default is {json.dumps(default)}", config=True)
    if isinstance(default, dict) and default and not is_map(last, default):
        for key in sorted(value):
            problem = apply(params, defaults, [*path, str(key)], value[key], where, pos)
            if problem:
                return problem
        return None
    node[last] = copy.deepcopy(value)
    return None


def flatten(mapping: dict, defaults: dict, prefix: tuple[str, ...] = ()) -> list[tuple[list[str], Any]]:
    """obs.yaml's nested settings as (path, value) leaves; a map parameter's value stays whole."""
    out: list[tuple[list[str], Any]] = []
    for key in sorted(mapping):
        value = mapping[key]
        default = defaults.get(key) if isinstance(defaults, dict) else None
        if isinstance(value, dict) and value and isinstance(default, dict) and not is_map(str(key), default):
            out.extend(flatten(value, default, (*prefix, str(key))))
        else:
            out.append(([*prefix, str(key)], value))
    return out
