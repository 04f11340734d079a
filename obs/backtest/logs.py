"""Log alerts over Elasticsearch/OpenSearch history, run by run at the schedule (`defaults.logs.
schedule`, ElastAlert's run_every and the watch/monitor interval): one `date_histogram` per slice
of the range, in buckets that divide both the schedule and the window, gives every run's window
exactly; each run is then judged by obs.logs.search.evaluate, the same test a watch or monitor
makes, on the response that run's search would have had."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from obs.backtest.metrics import Span
from obs.backtest.states import Firing, firings
from obs.catalog import LogAlertEntry
from obs.durations import seconds
from obs.live.search import SearchClient
from obs.logs import condition_of
from obs.logs.condition import Condition
from obs.logs.search import alert_filters, evaluate, keyword

#: buckets per search: far below search.max_buckets (10,000 on 7.x, 65,535 since) with sub-buckets
MAX_BUCKETS = 2_000
#: terms per bucket for groupBy and distinct
TERMS = 500
KINDS = ("any", "count", "absent", "spike", "distinct", "metric", "ratio")


@dataclass
class LogRun:
    entry: LogAlertEntry
    server: str
    firings: list[Firing] = field(default_factory=list)
    skipped: str | None = None
    #: no log line in the index before this instant (its retention), if inside the range
    oldest: float | None = None


def why_not(entry: LogAlertEntry) -> str | None:
    """Why a log alert cannot be replayed, or None."""
    if entry.raw is not None:
        return "a rule kept from an ElastAlert file: its options are ElastAlert's own"
    cond = condition_of(entry)
    if not isinstance(cond, Condition):
        return "its condition does not compile (see `obs lint`)"
    if cond.kind not in KINDS:
        return f"`{cond.describe()}` needs ElastAlert's memory of earlier runs"
    return None


def run_log_alert(client: SearchClient, entry: LogAlertEntry, span: Span, schedule: float, server: str) -> LogRun:
    run = LogRun(entry, server)
    cond = condition_of(entry)
    assert isinstance(cond, Condition)
    window = cond.seconds or schedule
    behind = 2 * window if cond.kind == "spike" else window
    bucket = float(math.gcd(int(schedule), int(window)) or 1)
    ticks = list(span.steps(schedule))
    if not ticks:
        return run
    first = math.floor((ticks[0] - behind) / bucket) * bucket
    buckets = _histogram(client, entry, cond, first, ticks[-1], bucket)
    run.oldest = _oldest(client, entry, span)
    evaluations = []
    for t in ticks:
        response, value = _response(entry, cond, buckets, t, window, bucket)
        groups = response.get("aggregations", {}).get("groups")
        if groups is not None:
            hit = {(("group", b["key"]),): float(b["doc_count"]) for b in groups["buckets"]
                   if evaluate(entry, cond, {**response, "aggregations": {"groups": {"buckets": [b]}}})}
        else:
            hit = {(): value} if evaluate(entry, cond, response) else {}
        evaluations.append((t, hit))
    static = {**entry.labels, "severity": entry.spec.severity}
    run.firings = firings(entry.name, evaluations, static=static, kind="log")
    group = entry.spec.group_by[0] if entry.spec.group_by else None
    for f in run.firings:
        if "group" in f.labels:
            f.labels[group or "group"] = f.labels.pop("group")
    return run


def _sub_aggs(entry: LogAlertEntry, cond: Condition) -> dict:
    group = entry.spec.group_by
    if group and cond.kind in ("count", "absent"):
        return {"groups": {"terms": {"field": keyword(group[0]), "size": TERMS}}}
    if cond.kind == "distinct":
        return {"values": {"terms": {"field": keyword(cond.field), "size": TERMS}}}
    if cond.kind == "metric":
        return {"stats": {"stats": {"field": cond.field}}}
    if cond.kind == "ratio":
        return {"matched": {"filter": {"query_string": {"query": entry.spec.match}}}}
    return {}


def _histogram(client: SearchClient, entry: LogAlertEntry, cond: Condition, first: float, last: float,
               bucket: float) -> dict[float, dict]:
    """Bucket start (seconds) → bucket, for [first, last), asked in slices of MAX_BUCKETS."""
    ts, sub = entry.timestamp_field, _sub_aggs(entry, cond)
    per = MAX_BUCKETS if not sub or cond.kind in ("metric", "ratio") else max(1, MAX_BUCKETS * 5 // TERMS)
    out: dict[float, dict] = {}
    lo = first
    while lo < last:
        hi = min(last, lo + per * bucket)
        hist = {"field": ts, "fixed_interval": f"{int(bucket)}s", "min_doc_count": 0,
                "extended_bounds": {"min": int(lo * 1000), "max": int((hi - bucket) * 1000)}}
        body = {"size": 0, "track_total_hits": True,
                "query": {"bool": {"filter": [*alert_filters(entry), {"range": {ts: {
                    "gte": int(lo * 1000), "lt": int(hi * 1000), "format": "epoch_millis"}}}]}},
                "aggregations": {"h": {"date_histogram": hist, **({"aggregations": sub} if sub else {})}}}
        doc = client.search(",".join(_indices(entry)), body)
        for b in ((doc.get("aggregations") or {}).get("h") or {}).get("buckets") or ():
            out[round(b["key"] / 1000, 3)] = b
        lo = hi
    return out


def _response(entry: LogAlertEntry, cond: Condition, buckets: dict[float, dict], t: float, window: float,
              bucket: float) -> tuple[dict, float]:
    """The search response a run at `t` would have had, and the value it measures."""
    def within(a: float, b: float) -> list[dict]:
        return [buckets[k] for k in _keys(a, b, bucket) if k in buckets]

    now = within(t - window, t)
    total = sum(b["doc_count"] for b in now)
    response: dict = {"hits": {"total": {"value": total}}, "aggregations": {}}
    value = float(total)
    k = cond.kind
    if k == "spike":
        ref = sum(b["doc_count"] for b in within(t - 2 * window, t - window))
        response["hits"]["total"]["value"] = total + ref
        response["aggregations"] = {"current": {"doc_count": total}, "reference": {"doc_count": ref}}
    elif "groups" in _sub_aggs(entry, cond):
        counts: dict[str, int] = {}
        for b in now:
            for g in b["groups"]["buckets"]:
                counts[str(g["key"])] = counts.get(str(g["key"]), 0) + g["doc_count"]
        response["aggregations"] = {"groups": {"buckets": [{"key": key, "doc_count": n}
                                                           for key, n in sorted(counts.items())]}}
    elif k == "distinct":
        values = {str(g["key"]) for b in now for g in b["values"]["buckets"]}
        value = float(len(values))
        response["aggregations"] = {"distinct": {"value": len(values)}}
    elif k == "metric":
        value = _metric(cond.agg or "avg", [b["stats"] for b in now if b["stats"].get("count")])
        response["aggregations"] = {"metric": {"value": value}}
    elif k == "ratio":
        matched = sum(b["matched"]["doc_count"] for b in now)
        value = matched * 100.0 / total if total else 0.0
        response["aggregations"] = {"matched": {"doc_count": matched}}
    return response, (value if value is not None else float("nan"))


def _metric(agg: str, stats: list[dict]):
    if not stats:
        return None
    if agg == "avg":
        return sum(s["sum"] for s in stats) / sum(s["count"] for s in stats)
    return {"min": min(s["min"] for s in stats), "max": max(s["max"] for s in stats),
            "sum": sum(s["sum"] for s in stats)}[agg]


def _keys(a: float, b: float, bucket: float) -> list[float]:
    k, out = math.ceil(a / bucket) * bucket, []
    while k < b - 1e-9:
        out.append(round(k, 3))
        k += bucket
    return out


def _oldest(client: SearchClient, entry: LogAlertEntry, span: Span) -> float | None:
    ts = entry.timestamp_field
    doc = client.search(",".join(_indices(entry)), {"size": 0, "aggregations": {"oldest": {"min": {"field": ts}}}})
    value = ((doc.get("aggregations") or {}).get("oldest") or {}).get("value")
    if value is None:
        return span.end
    oldest = float(value) / 1000
    return oldest if oldest > span.start else None


def _indices(entry: LogAlertEntry) -> list[str]:
    from obs.logs import indices
    return indices(entry)


def schedule_of(catalog) -> float:
    return seconds(catalog.defaults.logs.schedule)
