"""Which fields a search names, and what it needs of each: from Lucene query strings, query DSL and
aggregations, pure functions over the text and dicts obs compiles.

A Lucene query naming a field that does not exist matches nothing, silently; a terms aggregation
over a text field fails; an average of a keyword fails. `obs validate` compares these needs with
the fields the server has (obs.live.checks.search).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

#: what a use needs of its field
EXISTS, AGGREGATABLE, NUMERIC, ORDERED, DATE = "exists", "aggregatable", "numeric", "ordered", "date"

NUMERIC_TYPES = frozenset({"long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float",
                           "unsigned_long", "token_count"})
DATE_TYPES = frozenset({"date", "date_nanos"})


@dataclass(frozen=True)
class Use:
    """A field a search names, what it needs of the field, and who uses it (for the message)."""

    field: str
    need: str
    what: str


# --- Lucene query strings -----------------------------------------------------------------------

_SPECIAL = set(' \t\r\n()[]{}"^~:/')


def lucene_fields(query: str) -> list[tuple[str, int]]:
    """(field, offset) for every `field:` of a Lucene query string, and the field `_exists_:f` names.

    Quoted phrases, ranges and regular expressions are skipped; escapes (`kubernetes\\.pod`, `a\\ b`)
    are undone. Offsets point at the field's first character in `query`."""
    out: list[tuple[str, int]] = []
    i, n = 0, len(query)
    exists_next = False
    while i < n:
        c = query[i]
        if c == '"':
            i = _closing(query, i + 1, '"')
        elif c in "[{":
            i = _closing(query, i + 1, "]}")
        elif c == "/" and (i == 0 or query[i - 1] in " \t\r\n(:"):
            i = _closing(query, i + 1, "/")
        elif c in _SPECIAL:
            i += 1
        else:
            start = i
            if c in "+-!" and not exists_next:
                i += 1
                start = i
            term, i = _term(query, i)
            if not term:
                i += 1
                continue
            if exists_next:
                out.append((term, start))
                exists_next = False
            elif i < n and query[i] == ":":
                i += 1
                if term == "_exists_":
                    exists_next = True
                elif not term.startswith("_"):  # _id, _index … are the server's own fields
                    out.append((term, start))
    return out


def _closing(text: str, i: int, ends: str) -> int:
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in ends:
            return i + 1
        i += 1
    return i


def _term(text: str, i: int) -> tuple[str, int]:
    chars = []
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            chars.append(text[i + 1])
            i += 2
            continue
        if c in _SPECIAL:
            break
        chars.append(c)
        i += 1
    return "".join(chars), i


# --- query DSL ----------------------------------------------------------------------------------

_COMPOUND_LISTS = {"bool": ("must", "filter", "should", "must_not"), "dis_max": ("queries",)}
_COMPOUND_ONE = {"constant_score": ("filter",), "boosting": ("positive", "negative"),
                 "function_score": ("query",), "nested": ("query",), "has_child": (), "has_parent": ()}
#: leaf queries whose body is {FIELD: value-or-options}
_BY_FIELD = {"term", "terms", "match", "match_phrase", "match_phrase_prefix", "match_bool_prefix", "prefix",
             "wildcard", "regexp", "fuzzy", "range", "intervals", "span_term", "terms_set", "geo_distance",
             "geo_bounding_box", "geo_shape", "distance_feature"}
_OPTIONS = {"boost", "_name", "queries", "relation", "validation_method", "ignore_unmapped", "distance",
            "distance_type", "minimum_should_match", "type"}
_RANGE_VALUES = {"gt", "gte", "lt", "lte", "from", "to"}


@dataclass(frozen=True)
class QueryPart:
    """A Lucene query string met inside query DSL: its fields are found with lucene_fields."""

    query: str


def dsl_uses(query: object, what: str, timestamp: str | None = None) -> Iterator[Use | QueryPart]:
    """The fields a query DSL clause names (a range over `timestamp` needs a date), and the Lucene
    query strings inside it, whose own fields the caller extracts."""
    if isinstance(query, list):
        for item in query:
            yield from dsl_uses(item, what, timestamp)
        return
    if not isinstance(query, dict):
        return
    for kind, body in query.items():
        if kind in _COMPOUND_LISTS and isinstance(body, dict):
            for key in _COMPOUND_LISTS[kind]:
                yield from dsl_uses(body.get(key), what, timestamp)
        elif kind in _COMPOUND_ONE and isinstance(body, dict):
            if kind == "nested" and isinstance(body.get("path"), str):
                yield Use(body["path"], EXISTS, what)
            for key in _COMPOUND_ONE[kind]:
                yield from dsl_uses(body.get(key), what, timestamp)
        elif kind in ("not", "and", "or"):
            yield from dsl_uses(body, what, timestamp)
        elif kind == "exists" and isinstance(body, dict) and isinstance(body.get("field"), str):
            yield Use(body["field"], EXISTS, what)
        elif kind in ("query_string", "simple_query_string") and isinstance(body, dict):
            if kind == "query_string" and isinstance(body.get("query"), str):
                yield QueryPart(body["query"])
            if isinstance(body.get("default_field"), str) and body["default_field"] != "*":
                yield Use(body["default_field"], EXISTS, what)
            yield from _listed(body.get("fields"), what)
        elif kind == "multi_match" and isinstance(body, dict):
            yield from _listed(body.get("fields"), what)
        elif kind in _BY_FIELD and isinstance(body, dict):
            for name, value in body.items():
                if name in _OPTIONS or not isinstance(name, str):
                    continue
                need = EXISTS
                if kind == "range" and isinstance(value, dict) and timestamp and name == timestamp:
                    need = DATE
                yield Use(name, need, what)


def _listed(fields: object, what: str) -> Iterator[Use]:
    for f in fields if isinstance(fields, list) else ():
        if isinstance(f, str) and f != "*":
            yield Use(f.split("^")[0], EXISTS, what)


# --- aggregations -------------------------------------------------------------------------------

_AGG_NEED = {"terms": AGGREGATABLE, "cardinality": AGGREGATABLE, "value_count": AGGREGATABLE,
             "significant_terms": AGGREGATABLE, "rare_terms": AGGREGATABLE,
             "avg": NUMERIC, "sum": NUMERIC, "stats": NUMERIC, "extended_stats": NUMERIC, "percentiles": NUMERIC,
             "median_absolute_deviation": NUMERIC, "histogram": NUMERIC,
             "min": ORDERED, "max": ORDERED, "date_histogram": DATE}


def agg_uses(aggs: object, what_of: dict[str, str], timestamp: str | None = None) -> Iterator[Use | QueryPart]:
    """The fields aggregations name; `what_of` names each top-level aggregation for messages."""
    if not isinstance(aggs, dict):
        return
    for name, agg in aggs.items():
        if not isinstance(agg, dict):
            continue
        what = what_of.get(name, f"aggregation {name!r}")
        for kind, body in agg.items():
            if kind in ("aggs", "aggregations"):
                yield from agg_uses(body, {}, timestamp)
            elif kind == "filter":
                yield from dsl_uses(body, what, timestamp)
            elif kind == "filters" and isinstance(body, dict) and isinstance(body.get("filters"), dict):
                for clause in body["filters"].values():
                    yield from dsl_uses(clause, what, timestamp)
            elif kind in _AGG_NEED and isinstance(body, dict):
                if isinstance(body.get("field"), str):
                    yield Use(body["field"], _AGG_NEED[kind], what)
                script = body.get("script")
                source = script.get("source") if isinstance(script, dict) else script
                if isinstance(source, str):
                    for f in script_fields(source):
                        yield Use(f, _AGG_NEED[kind] if kind != "terms" else AGGREGATABLE, what)


def script_fields(source: str) -> list[str]:
    """Fields a Painless script reads as doc values: `doc['x'].value`, `doc["x"]`."""
    return re.findall(r"""doc\[\s*['"]([^'"]+)['"]\s*\]""", source)
