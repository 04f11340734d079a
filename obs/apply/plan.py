"""The one plan function, shared by `obs diff` and `obs apply` (EDGES.md: mimirtool computes
it twice, with copied code — obs does not). Pure: what out/ wants and what the server has in,
Changes out; no I/O, no clock."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from obs.apply import Change, Desired, Observed, fingerprint

#: how a differing part is worded in a change's reason
PART_WORDS = {"content": "content differs", "definition": "definition differs",
              "values": "secret values changed", "loaded": "not loaded by the server yet",
              "mode": "file mode differs", "patch": "SkyWalking patch not in the live workload",
              "adopt": "exists without obs's labels: obs adds its labels (not forced, never pruned)"}


def as_desired(key: str, value: Any) -> Desired:
    """Plain values (dicts, text) are wrapped, so plan() can be called on plain data."""
    if isinstance(value, Desired):
        return value
    return Desired(key, {"content": fingerprint(value)}, _text(value))


def as_observed(key: str, value: Any) -> Observed:
    if isinstance(value, Observed):
        return value
    return Observed(key, {"content": fingerprint(value)}, True, _text(value))


def _text(value: Any) -> str:
    import json
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def reason(desired: Desired, observed: Observed) -> str | None:
    """Why they differ, or None when they do not: the parts that differ, in the desired's order."""
    keys = list(desired.parts) + [k for k in observed.parts if k not in desired.parts]
    differ = [k for k in keys if desired.parts.get(k) != observed.parts.get(k)]
    if not differ:
        return None
    return ", ".join(PART_WORDS.get(k, f"{k} differs") for k in differ)


def plan(target: str, desired: Mapping[str, Any], observed: Mapping[str, Any], prune: bool = False,
         project: str = "", source: str = "out/") -> tuple[Change, ...]:
    """Changes in key order. Objects on the server that are not this project's and that out/
    does not name are not listed at all: they are none of obs's business."""
    out = []
    for key in sorted({*desired, *observed}):
        d = as_desired(key, desired[key]) if key in desired else None
        o = as_observed(key, observed[key]) if key in observed else None
        if d is not None and o is None:
            out.append(Change(target, key, "create", "new", None, d.shown, d.origin, True, d, None))
        elif d is not None and o is not None and (not o.owned or o.conflict):
            owner = f"obs project {project}" if project else "this project"
            out.append(Change(target, key, "conflict", o.conflict or f"exists and is not owned by {owner}", o.shown,
                              d.shown, d.origin, False, d, o))
        elif d is not None and o is not None:
            why = reason(d, o)
            action = "unchanged" if why is None else "update"
            out.append(Change(target, key, action, why or "", o.shown, d.shown, d.origin, True, d, o))
        elif o is not None and o.owned:
            if prune:
                out.append(Change(target, key, "delete", f"owned, no longer in {source}", o.shown, None, "", True,
                                  None, o))
            else:
                out.append(Change(target, key, "orphan", f"owned, no longer in {source}: would prune with --prune",
                                  o.shown, None, "", True, None, o))
    return tuple(out)


def digest(observed: Mapping[str, Any]) -> str:
    """The observed state in one value: apply observes again and refuses if this moved."""
    items = []
    for key in sorted(observed):
        o = as_observed(key, observed[key])
        items.append([key, dict(sorted(o.parts.items())), o.owned])
    return fingerprint(items)
