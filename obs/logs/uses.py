"""What one compiled log alert asks of its search server: the index expression it searches, the
fields it names with what each needs, and the queries the server must accept.

Read from the compiled output itself (ElastAlert rule, watch, monitor), so `obs validate` checks
what will run — `.keyword` added for terms aggregations, ElastAlert's own aggregations for
`query_key`, options of rules kept from ElastAlert files — and each use keeps a `role` naming the
part of the definition it came from, which is where a finding points.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from obs.catalog import LogAlertEntry
from obs.logs.fields import (
    AGGREGATABLE,
    DATE,
    EXISTS,
    NUMERIC,
    ORDERED,
    QueryPart,
    Use,
    agg_uses,
    dsl_uses,
    lucene_fields,
)

#: ElastAlert types that aggregate in Elasticsearch by `query_key` (the others read it from each hit)
_EA_AGGREGATING = {"metric_aggregation", "percentage_match", "spike_aggregation"}
_EA_METRIC = {"min": ORDERED, "max": ORDERED, "avg": NUMERIC, "sum": NUMERIC, "cardinality": AGGREGATABLE,
              "value_count": AGGREGATABLE, "percentiles": NUMERIC}
#: obs's own aggregation names in watches and monitors (obs.logs.search) → the role they serve
_AGG_ROLE = {"groups": "groupBy", "matched": "match", "current": "timestamp", "reference": "timestamp"}


@dataclass(frozen=True)
class Query:
    """A query clause the server must accept, and the part of the definition it came from."""

    clause: dict
    role: str


@dataclass
class Asks:
    entry: LogAlertEntry
    target: str
    index: str  # the expression, comma-separated parts
    uses: list[tuple[str, Use]] = field(default_factory=list)  # (role, use)
    queries: list[Query] = field(default_factory=list)

    def add(self, role: str, found) -> None:
        for item in found:
            if isinstance(item, QueryPart):
                self.uses.extend((role, Use(f, EXISTS, what_of(role))) for f, _at in lucene_fields(item.query))
            else:
                self.uses.append((role, item))

    def option(self, key: str, role: str, name: str, need: str, what: str) -> None:
        """A field an ElastAlert option names; for a rule kept from an ElastAlert file the finding
        points at the option and speaks its name."""
        if self.entry.raw is not None:
            role, what = f"raw:{key}", key + what[what.index(" ("):] if " (" in what else key
        self.uses.append((role, Use(name, need, what)))

    def clauses(self, clauses: list, default: str, timestamp: str | None) -> None:
        """Query clauses the user wrote: each validated, and the fields in each checked."""
        for clause in clauses:
            if isinstance(clause, dict):
                role = self.role_of(clause, default)
                self.queries.append(Query(clause, role))
                self.add(role, dsl_uses(clause, what_of(role), timestamp))

    def role_of(self, clause: dict, default: str = "filter") -> str:
        spec = self.entry.spec
        qs = clause.get("query_string") if isinstance(clause, dict) else None
        text = qs.get("query") if isinstance(qs, dict) else None
        if text is not None and text == spec.query:
            return self._raw("filter") or "query"
        if text is not None and text == spec.match:
            return self._raw("match_bucket_filter") or "match"
        return self._raw("filter" if default == "filter" else "match_bucket_filter") or default

    def _raw(self, key: str) -> str | None:
        return f"raw:{key}" if self.entry.raw is not None else None


_WHAT = {"query": "in the query", "filter": "in the filter", "match": "in match:",
         "raw:filter": "in the filter", "raw:match_bucket_filter": "in match_bucket_filter"}


def what_of(role: str) -> str:
    return _WHAT.get(role, f"in {role.removeprefix('raw:')}")


def from_artifact(entry: LogAlertEntry, target: str, content: bytes) -> Asks | None:
    """The asks of one compiled file (out/elastalert/*.yaml, out/watcher/*.json, out/opensearch/*.json)."""
    try:
        if target == "elastalert":
            return elastalert(entry, yaml.safe_load(content))
        doc = json.loads(content)
    except (ValueError, yaml.YAMLError):
        return None
    if target == "watcher":
        request = doc.get("input", {}).get("search", {}).get("request", {})
        return search(entry, target, request.get("indices") or [], request.get("body") or {})
    if target == "opensearch-monitor":
        inputs = (doc.get("inputs") or [{}])[0].get("search", {})
        return search(entry, target, inputs.get("indices") or [], inputs.get("query") or {})
    return None


def elastalert(entry: LogAlertEntry, rule: Any) -> Asks | None:
    """An ElastAlert rule as ElastAlert 2 runs it: its filters (the older `- query: {...}` wrapper
    unwrapped, as `get_query` does), and per type the fields it reads from hits or aggregates by."""
    if not isinstance(rule, dict) or not isinstance(rule.get("index"), str):
        return None
    index = rule["index"]
    if rule.get("use_strftime_index"):  # logstash-%Y.%m.%d: ElastAlert fills in the dates it searches
        index = re.sub(r"(%[a-zA-Z])+", "*", index)
    asks = Asks(entry, "elastalert", index)
    ts = rule.get("timestamp_field", "@timestamp")
    if isinstance(ts, str):
        need = DATE if rule.get("timestamp_type", "iso") in ("iso", "custom") else ORDERED
        asks.option("timestamp_field", "timestamp", ts, need, _timestamp(entry, "timestamp_field" in rule))
    filters = [f["query"] if isinstance(f, dict) and isinstance(f.get("query"), dict) else f
               for f in rule.get("filter") or []]
    asks.clauses(filters, "filter", ts if isinstance(ts, str) else None)
    asks.clauses(rule.get("match_bucket_filter") or [], "match", ts if isinstance(ts, str) else None)
    kind = rule.get("type")
    aggregated = kind in _EA_AGGREGATING or rule.get("use_terms_query")
    how = "ElastAlert aggregates by it" if aggregated else "ElastAlert reads it from each hit"
    for key in _names(rule.get("query_key")):
        asks.option("query_key", "groupBy", key, AGGREGATABLE if aggregated else EXISTS, f"groupBy ({how})")
    if kind == "new_term":
        for f in _names(rule.get("fields", rule.get("query_key"))):
            asks.option("fields", "when", _keyword(f, rule.get("use_keyword_postfix", True)), AGGREGATABLE,
                        "new value of (ElastAlert's terms aggregation)")
    if kind == "cardinality" and isinstance(rule.get("cardinality_field"), str):
        asks.option("cardinality_field", "when", rule["cardinality_field"], EXISTS, "distinct")
    if kind in ("metric_aggregation", "spike_aggregation") and isinstance(rule.get("metric_agg_key"), str):
        agg = rule.get("metric_agg_type")
        asks.option("metric_agg_key", "when", rule["metric_agg_key"], _EA_METRIC.get(agg, NUMERIC), f"{agg}()")
    for key in _names(rule.get("compare_key")):
        asks.option("compare_key", "when", key, EXISTS, "compare_key")
    for key in _names(rule.get("top_count_keys")):
        asks.option("top_count_keys", "when", _keyword(key, rule.get("raw_count_keys", True)), AGGREGATABLE,
                    "top_count_keys")
    return asks


def _keyword(name: str, postfix: bool) -> str:
    """ElastAlert's add_keyword_postfix (use_keyword_postfix, raw_count_keys; both on by default)."""
    return f"{name}.keyword" if postfix and not name.endswith(".keyword") else name


def search(entry: LogAlertEntry, target: str, indices: list, body: dict) -> Asks:
    """A watch's or monitor's search: obs.logs.search's bool filter (the alert's clauses, then the
    window as a range over the timestamp field) and its aggregations."""
    ts = entry.timestamp_field
    asks = Asks(entry, target, ",".join(i for i in indices if isinstance(i, str)))
    query = body.get("query") or {}
    clauses = query.get("bool", {}).get("filter") if isinstance(query.get("bool"), dict) else [query]
    clauses = clauses if isinstance(clauses, list) else [clauses]
    if any(isinstance(c, dict) and _window(c, ts) for c in clauses):
        asks.uses.append(("timestamp", Use(ts, DATE, _timestamp(entry))))
    asks.clauses([c for c in clauses if isinstance(c, dict) and not _window(c, ts)], "filter", ts)
    kind = "watch" if target == "watcher" else "monitor"
    for name, agg in (body.get("aggregations") or body.get("aggs") or {}).items():
        r = _AGG_ROLE.get(name, "when")
        what = {"groupBy": f"groupBy (the {kind}'s terms aggregation)", "match": "in match:",
                "timestamp": _timestamp(entry)}.get(r, _when(agg, kind))
        if r == "timestamp":
            asks.uses.append(("timestamp", Use(ts, DATE, what)))
            continue
        if r == "match" and isinstance(agg, dict) and isinstance(agg.get("filter"), dict):
            asks.queries.append(Query(agg["filter"], "match"))
        asks.add(r, agg_uses({name: agg}, {name: what}, ts))
    return asks


def _timestamp(entry: LogAlertEntry, written: bool = False) -> str:
    """Which timestamp field, saying where it comes from when the alert does not name it."""
    if entry.raw is not None:
        return "the timestamp field" if written else "the timestamp field (ElastAlert's default)"
    return "the timestamp field" + ("" if entry.spec.timestampField else " (defaults.logs.timestampField)")


def _when(agg: Any, kind: str) -> str:
    first = next(iter(agg), "") if isinstance(agg, dict) else ""
    return f"distinct (the {kind}'s cardinality aggregation)" if first == "cardinality" else f"{first}()"


def _window(clause: dict, ts: str) -> bool:
    """obs's own time window (`{range: {<ts>: {gte: now-5m}}}`), not one the user wrote."""
    body = clause.get("range")
    return list(clause) == ["range"] and isinstance(body, dict) and list(body) == [ts] \
        and isinstance(body[ts], dict) and str(body[ts].get("gte", "")).startswith("now-")


def _names(value: Any) -> list[str]:
    """A key or list of keys (composite new_term fields are lists within the list)."""
    if isinstance(value, str):
        return [value]
    out: list[str] = []
    for v in value if isinstance(value, list) else ():
        out.extend(_names(v))
    return out
