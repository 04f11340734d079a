"""One search and one condition per log alert, shared by Watcher watches and OpenSearch monitors.

`plan()` gives the search body (query, time range, aggregations) and the condition as a
Painless expression over the search response; `evaluate()` is its Python twin, used by the
tests to judge real search responses (the test servers have no Painless or Watcher) and by
anyone who wants to know whether an alert would fire now. Both follow ElastAlert 2's meaning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from obs import durations
from obs.catalog import LogAlertEntry
from obs.logs.condition import Condition

_PAINLESS_OP = {">": ">", ">=": ">=", "<": "<", "<=": "<="}
_COMPARE = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}
METRIC = {"avg": "avg", "min": "min", "max": "max", "sum": "sum"}


class Unsupported(Exception):
    """The condition cannot be expressed by watches and monitors (the message says why)."""


@dataclass(frozen=True)
class Plan:
    body: dict
    #: Painless boolean expression; `$R` is the response root, `$T` the total hit count
    script: str
    #: the same as a Watcher compare condition where one exists: (path under the response, op, value)
    compare: tuple[str, str, Any] | None = None


def keyword(field: str) -> str:
    """Terms and cardinality need an aggregatable field: `.keyword` as ElastAlert's raw_count_keys adds."""
    return field if field.endswith(".keyword") else f"{field}.keyword"


def alert_filters(entry: LogAlertEntry) -> list[dict]:
    """The alert's `query` (Lucene) or `filter` (query DSL) as a list of query clauses."""
    spec = entry.spec
    if spec.query is not None:
        return [{"query_string": {"query": spec.query}}]
    if spec.filter is None:
        return []
    return [dict(f) for f in spec.filter] if isinstance(spec.filter, list) else [dict(spec.filter)]


def _range(ts: str, gte: str, lt: str | None = None) -> dict:
    bounds = {"gte": gte, **({"lt": lt} if lt else {})}
    return {"range": {ts: bounds}}


_DATE_MATH_UNITS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def ago(seconds: float) -> str:
    """`now-<n><unit>` in one unit: date math reads `now-1h30m` as an error (`operator not supported`),
    so a compound window is written in the largest unit that divides it (whole seconds)."""
    secs = max(1, math.ceil(seconds))
    unit, size = next((u, s) for u, s in _DATE_MATH_UNITS if secs % s == 0)
    return f"now-{secs // size}{unit}"


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def plan(entry: LogAlertEntry, cond: Condition, schedule: str) -> Plan:
    """The search and condition for one alert; Unsupported when a watch or monitor cannot say it."""
    ts, group = entry.timestamp_field, entry.spec.group_by
    if cond.kind in ("new_value", "elastalert"):
        raise Unsupported("it needs ElastAlert's memory of earlier values" if cond.kind == "new_value"
                          else "it is an ElastAlert-only rule type")
    if group and not (cond.kind == "count" and cond.op in (">", ">=")):
        raise Unsupported("`groupBy` is only expressed for `count >` and `count >=` conditions")
    window = cond.window or schedule
    secs = durations.seconds(window)
    since = ago(2 * secs if cond.kind == "spike" else secs)
    query = {"bool": {"filter": [*alert_filters(entry), _range(ts, since)]}}
    body: dict = {"size": 0, "query": query}
    n = _num(cond.threshold) if cond.threshold is not None else None
    if cond.kind == "any":
        return Plan(body, "$T > 0", ("hits.total", "gt", 0))
    if cond.kind in ("count", "absent"):
        if group:
            terms = ({"field": keyword(group[0])} if len(group) == 1 else {"script": {"lang": "painless", "source": (
                " + '|' + ".join(f"doc['{keyword(g)}'].value" for g in group))}})
            body["aggregations"] = {"groups": {"terms": {**terms, "size": 10, "min_doc_count": 1}}}
            return Plan(body, f"$R.aggregations.groups.buckets.stream().anyMatch(b -> b.doc_count {cond.op} {n})")
        return Plan(body, f"$T {cond.op} {n}", ("hits.total", _COMPARE[cond.op], n))
    if cond.kind == "spike":
        body["aggregations"] = {"current": {"filter": _range(ts, ago(secs))},
                                "reference": {"filter": _range(ts, since, ago(secs))}}
        f = _num(cond.factor)
        up, down = f"cur >= ref * {f}", f"cur <= ref / {f}"
        test = {"up": up, "down": down, "both": f"({up} || {down})"}[cond.direction]
        # a reference is needed (ElastAlert gets `threshold_ref: 1`); a current window of 0 is the deepest dip
        return Plan(body, "$R.aggregations.reference.doc_count > 0 && "
                    + test.replace("cur", "$R.aggregations.current.doc_count")
                    .replace("ref", "$R.aggregations.reference.doc_count"))
    if cond.kind == "distinct":
        body["aggregations"] = {"distinct": {"cardinality": {"field": keyword(cond.field)}}}
        return Plan(body, f"$R.aggregations.distinct.value {cond.op} {n}",
                    ("aggregations.distinct.value", _COMPARE[cond.op], n))
    if cond.kind == "metric":
        body["aggregations"] = {"metric": {METRIC[cond.agg]: {"field": cond.field}}}
        return Plan(body, f"$R.aggregations.metric.value != null && $R.aggregations.metric.value {cond.op} {n}",
                    ("aggregations.metric.value", _COMPARE[cond.op], n))
    if cond.kind == "ratio":
        if not entry.spec.match:
            raise Unsupported("a `ratio` condition needs `match:`")
        body["aggregations"] = {"matched": {"filter": {"query_string": {"query": entry.spec.match}}}}
        return Plan(body, f"$T > 0 && $R.aggregations.matched.doc_count * 100.0 / $T {cond.op} {n}")
    raise Unsupported(f"unknown condition kind {cond.kind}")


def painless(p: Plan, root: str, total: str) -> str:
    return p.script.replace("$T", total).replace("$R", root)


# --- the Python twin -----------------------------------------------------------------------------

def _cmp(a: float, op: str, b: float) -> bool:
    return {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[op]


def total_hits(response: dict) -> int:
    total = response["hits"]["total"]
    return total["value"] if isinstance(total, dict) else int(total)


def evaluate(entry: LogAlertEntry, cond: Condition, response: dict) -> bool:
    """Whether the condition of `plan()` holds for a search response — the same test its script makes."""
    aggs, total = response.get("aggregations", {}), total_hits(response)
    k = cond.kind
    if k == "any":
        return total > 0
    if k in ("count", "absent"):
        if entry.spec.group_by:
            return any(_cmp(b["doc_count"], cond.op, cond.threshold) for b in aggs["groups"]["buckets"])
        return _cmp(total, cond.op, cond.threshold)
    if k == "spike":
        cur, ref = aggs["current"]["doc_count"], aggs["reference"]["doc_count"]
        if ref == 0:
            return False
        up, down = cur >= ref * cond.factor, cur <= ref / cond.factor
        return {"up": up, "down": down, "both": up or down}[cond.direction]
    if k == "distinct":
        return _cmp(aggs["distinct"]["value"], cond.op, cond.threshold)
    if k == "metric":
        value = aggs["metric"]["value"]
        return value is not None and _cmp(value, cond.op, cond.threshold)
    if k == "ratio":
        return total > 0 and _cmp(aggs["matched"]["doc_count"] * 100.0 / total, cond.op, cond.threshold)
    raise Unsupported(k)
