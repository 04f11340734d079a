"""The mapping form of `when:` — the same conditions as the text grammar, for generated or imported YAML.

The foreign-format adapter writes `{elastalert: {type: ..., ...}}` for ElastAlert rule types the
grammar cannot say; only the elastalert target accepts that form.
"""

from __future__ import annotations

import math
import re
from typing import Any

from obs.logs.condition import _FIELD, _OP_WORDS, AGGS, Condition, ConditionError, _duration, meaningful

# --- mapping form ----------------------------------------------------------------------------

_KINDS = ("any", "count", "absent", "spike", "newValue", "distinct", "ratio", "elastalert", *AGGS)


def parse_mapping(data: dict) -> Condition:
    """`{count: {gt: 20}, in: 5m}`, `{absent: {for: 15m}}`, `{spike: {up: 3}, in: 10m}`, `{newValue: f}`,
    `{distinct: {field: f, gt: 100}, in: 1h}`, `{avg: {field: f, gt: 2000}, in: 10m}`, `{ratio: {gt: 5}, in: 10m}`,
    `{elastalert: {type: blacklist, ...}}` (ElastAlert-only)."""
    kinds = [k for k in data if k in _KINDS]
    extra = [k for k in data if k not in _KINDS and k != "in"]
    if len(kinds) != 1 or extra:
        raise ConditionError(f"a condition mapping has one of {', '.join(_KINDS)} (plus `in:` for a window); "
                             f"found {', '.join(map(str, data)) or 'nothing'}")
    kind = kinds[0]
    body = data[kind]
    window = _duration(data["in"]) if "in" in data else None
    if kind == "any":
        return Condition("any")
    if kind == "elastalert":
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            raise ConditionError("`elastalert:` takes the rule's `type` and its options")
        return Condition("elastalert", options=dict(body))
    if kind == "absent":
        length = body.get("for") if isinstance(body, dict) else body
        return Condition("absent", "<", 1, _duration(length))
    if kind == "newValue":
        names = body if isinstance(body, list) else [body]
        if not names:
            raise ConditionError("`newValue:` takes a field name or a list of them")
        for n in names:
            if not isinstance(n, str) or not re.fullmatch(_FIELD, n):
                raise ConditionError(f"{n!r} is not a field name")
        return Condition("new_value", fields=tuple(names), field=names[0])
    if not isinstance(body, dict):
        raise ConditionError(f"`{kind}:` takes a mapping")
    if window is None:
        raise ConditionError(f"a `{kind}` condition needs a window: `in: 5m`")
    if kind == "spike":
        dirs = [d for d in ("up", "down", "both") if d in body]
        if len(dirs) != 1 or len(body) != 1:
            raise ConditionError("`spike:` takes one of up, down or both with its factor: `{up: 3}`")
        factor = _mapping_number(body[dirs[0]], "the spike factor")
        if factor <= 1:
            raise ConditionError("a spike factor must be above 1")
        return Condition("spike", direction=dirs[0], factor=factor, window=window)
    ops = [k for k in body if k in _OP_WORDS]
    allowed = set(_OP_WORDS) | ({"field"} if kind in ("distinct", *AGGS) else set())
    unknown = [k for k in body if k not in allowed]
    if len(ops) != 1 or unknown:
        raise ConditionError(f"`{kind}:` takes one comparison (gt, gte, lt, lte)"
                             + (" and `field`" if "field" in allowed else ""))
    op = _OP_WORDS[ops[0]]
    whole = kind in ("count", "distinct")
    n = _mapping_number(body[ops[0]], "the threshold", whole=whole, negative=kind in AGGS)
    if kind in ("count", "distinct", "ratio") and not (kind == "ratio" and n > 100):
        meaningful(kind, op, n)
    if kind == "count":
        return Condition("count", op, n, window)
    if kind == "ratio":
        if n > 100:
            raise ConditionError("a percentage is at most 100")
        return Condition("ratio", op, n, window)
    name = body.get("field")
    if not isinstance(name, str) or not re.fullmatch(_FIELD, name):
        raise ConditionError(f"`{kind}:` needs `field:` naming a field")
    if kind == "distinct":
        return Condition("distinct", op, n, window, field=name)
    return Condition("metric", op, n, window, field=name, agg=kind)


def _mapping_number(value: Any, what: str, whole: bool = False, negative: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConditionError(f"{what} must be a number, not {value!r}")
    if not math.isfinite(value):
        raise ConditionError(f"{what} must be a finite number, not {value!r}")
    if value < 0 and not negative:
        raise ConditionError(f"{what} cannot be negative ({value})")
    if whole and not float(value).is_integer():
        raise ConditionError(f"{what} must be a whole number, not {value}")
    return float(value)
