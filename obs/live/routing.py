"""Which receivers an Alertmanager route tree can deliver to, read from the config itself.

A route is unreachable when the matchers on its path contradict each other (team="a" above
team="b"), or when an earlier sibling without `continue` takes every alert it would get (its
matchers are a subset of this route's). A receiver is reached when a reachable route uses
it and some alert can stop there (the route has no catch-all child that takes everything).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

_MATCHER = re.compile(r"^\s*([^\s=!~]+)\s*(=~|!~|!=|=)\s*(.*?)\s*$")


@dataclass(frozen=True)
class M:
    label: str
    op: str
    value: str


def matchers(route: dict) -> frozenset[M]:
    """A route's matchers: `matchers` strings and the legacy `match` / `match_re` maps."""
    out = set()
    for text in route.get("matchers") or []:
        m = _MATCHER.match(str(text).strip().strip("{}"))
        if m:
            value = m[3]
            if value.startswith('"'):
                try:
                    value = json.loads(value)
                except ValueError:
                    value = value.strip('"')
            out.add(M(m[1], m[2], value))
    out |= {M(k, "=", str(v)) for k, v in (route.get("match") or {}).items()}
    out |= {M(k, "=~", str(v)) for k, v in (route.get("match_re") or {}).items()}
    return frozenset(out)


def _regex(value: str) -> re.Pattern | None:
    try:
        return re.compile(value)
    except re.error:
        return None


def contradicts(path: frozenset[M]) -> str | None:
    """Why no alert can match every matcher of `path`, if none can."""
    equal: dict[str, str] = {}
    ordered = sorted(path, key=lambda m: (m.label, m.op, m.value))  # the same words every run
    for m in ordered:
        if m.op == "=":
            if m.label in equal and equal[m.label] != m.value:
                return f'{m.label}="{equal[m.label]}" and {m.label}="{m.value}"'
            equal[m.label] = m.value
    for m in ordered:
        value = equal.get(m.label)
        if value is None or m.op == "=":
            continue
        pattern = _regex(m.value) if m.op in ("=~", "!~") else None
        hit = (value != m.value) if m.op == "!=" else (pattern is not None and pattern.fullmatch(value) is not None)
        if pattern is None and m.op != "!=":
            continue
        if (m.op == "!~" and hit) or (m.op != "!~" and not hit):
            return f'{m.label}="{value}" and {m.label}{m.op}"{m.value}"'
    return None


@dataclass
class Reach:
    reached: set[str] = field(default_factory=set)
    #: receiver → why a route naming it cannot be reached (when no other route reaches it)
    blocked: dict[str, str] = field(default_factory=dict)


def reach(root: dict) -> Reach:
    out = Reach()
    _walk(root, root.get("receiver", ""), frozenset(), out)
    out.blocked = {r: why for r, why in out.blocked.items() if r not in out.reached}
    return out


def _walk(route: dict, inherited: str, path: frozenset[M], out: Reach) -> None:
    receiver = route.get("receiver") or inherited
    path = path | matchers(route)
    why = contradicts(path)
    if why is not None:
        out.blocked.setdefault(receiver, f"its route needs {why} at once")
        return
    children = [c for c in route.get("routes") or [] if isinstance(c, dict)]
    if not any(not matchers(c) and not c.get("continue") for c in children):
        out.reached.add(receiver)  # some alert stops here
    taken: list[frozenset[M]] = []  # matchers of earlier siblings without continue
    for child in children:
        own = matchers(child)
        shadow = next((t for t in taken if t <= own), None)
        if shadow is not None:
            name = child.get("receiver") or receiver
            earlier = ", ".join(sorted(f"{m.label}{m.op}{json.dumps(m.value)}" for m in shadow)) or "no matchers"
            out.blocked.setdefault(name, f"an earlier route ({earlier}) without continue takes every alert its "
                                         "route would get")
            continue
        _walk(child, receiver, path, out)
        if not child.get("continue"):
            taken.append(own)
