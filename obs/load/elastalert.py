"""ElastAlert 2 rules read as LogAlerts: the rule type mapped onto the `when:` grammar of
SPEC §1.5 where it fits, `when: {elastalert: {type, ...options}}` where it does not; the rule
as written travels along (`original`), so the elastalert target keeps its meaning exactly.

Defaults for what ElastAlert lacks are in docs/foreign.md: severity warning, summary from
`alert_subject` (else the rule name), targets [elastalert], the name made an obs name.
"""

from __future__ import annotations

from typing import Any

from obs import codes
from obs.diagnostics import Diagnostics
from obs.load import convert as cv
from obs.load.sources import SourceDoc
from obs.load.yamlpos import PosDict

ES_INVALID = codes.define("IM030", "import/elastalert-invalid",
                          "An ElastAlert 2 rule lacks a field its type needs, or has one of the wrong type.")

DEFAULT_SEVERITY = "warning"

#: each type's own options: what the passthrough form keeps, and (second) what makes a
#: rule inexpressible in the grammar when present
_OPTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "any": ((), ()),
    "frequency": (("num_events", "timeframe", "use_count_query", "use_terms_query", "terms_size", "attach_related"),
                  ("use_terms_query", "attach_related")),
    "flatline": (("threshold", "timeframe", "use_count_query", "use_terms_query", "forget_keys"),
                 ("use_terms_query", "forget_keys")),
    "spike": (("spike_height", "spike_type", "timeframe", "threshold_ref", "threshold_cur", "alert_on_new_data",
               "use_count_query", "use_terms_query", "field_value"),
              ("threshold_ref", "threshold_cur", "alert_on_new_data", "use_terms_query", "field_value")),
    "new_term": (("fields", "terms_window_size", "window_step_size", "alert_on_missing_field", "use_terms_query",
                  "use_keyword_postfix", "terms_size"),
                 ("terms_window_size", "window_step_size", "alert_on_missing_field", "use_terms_query",
                  "use_keyword_postfix", "terms_size")),
    "cardinality": (("cardinality_field", "max_cardinality", "min_cardinality", "timeframe"), ()),
    "metric_aggregation": (("metric_agg_key", "metric_agg_type", "max_threshold", "min_threshold", "buffer_time",
                            "bucket_interval", "sync_bucket_interval", "allow_buffer_time_overlap", "min_doc_count",
                            "metric_agg_script", "percentile_range"),
                           ("bucket_interval", "min_doc_count", "metric_agg_script", "percentile_range")),
    "percentage_match": (("match_bucket_filter", "max_percentage", "min_percentage", "buffer_time", "min_denominator",
                          "bucket_interval", "sync_bucket_interval", "allow_buffer_time_overlap"),
                         ("min_denominator", "bucket_interval")),
    "blacklist": (("compare_key", "blacklist"), ()),
    "whitelist": (("compare_key", "whitelist", "ignore_null"), ()),
    "change": (("compare_key", "ignore_null", "timeframe"), ()),
    "spike_aggregation": (("metric_agg_key", "metric_agg_type", "spike_height", "spike_type", "timeframe",
                           "buffer_time", "threshold_ref", "threshold_cur", "min_doc_count", "metric_agg_script",
                           "percentile_range"), ()),
}


def detect(doc: Any) -> bool:
    return isinstance(doc, dict) and "apiVersion" not in doc and all(k in doc for k in ("type", "index", "alert"))


def adapt(docs: list[SourceDoc], diags: Diagnostics) -> list[SourceDoc]:
    out = []
    for doc in docs:
        built = _rule(doc.data, diags)
        if built is not None:
            out.append(cv.source(doc, built))
    return out


def _rule(rule: PosDict, diags: Diagnostics) -> PosDict | None:
    name = cv.text_field(rule, "name", "an ElastAlert rule", ES_INVALID, diags)
    kind = cv.text_field(rule, "type", "an ElastAlert rule", ES_INVALID, diags)
    index = cv.text_field(rule, "index", "an ElastAlert rule", ES_INVALID, diags)
    if name is None or kind is None or index is None:
        return None
    doc, meta = cv.document("LogAlert", rule)
    cv.put(meta, "name", cv.slug(name), (rule, "name"))
    if cv.slug(name) != name:
        doc.notes.append(f"ElastAlert rule {name!r}, named {cv.slug(name)!r} in obs ([a-z0-9-])")
    spec = cv.node(rule)
    cv.put(doc, "spec", spec, rule)
    if rule.get("use_strftime_index") is True:
        pattern = ",".join(index_pattern(part) for part in index.split(","))
        cv.put(spec, "index", pattern, (rule, "index"))
        spec.notes.append(f"use_strftime_index: ElastAlert searched {index!r} day by day; obs searches "
                          f"{pattern!r} over the same time range, which finds the same log lines")
    else:
        cv.copy_key(spec, "index", rule)
    _query(rule, spec)
    when, mapped = _condition(rule, kind, diags)
    if when is None:
        return None
    cv.put(spec, "when", when, (rule, "type"))
    if mapped and kind == "percentage_match":
        qs = _lucene(rule["match_bucket_filter"])
        cv.put(spec, "match", qs["query"], (qs, "query"))
    if not mapped:
        spec.notes.append(f"ElastAlert type {kind!r} with these options is not in obs's condition grammar: "
                          "kept as written (elastalert target only)")
    if isinstance(rule.get("query_key"), (str, list)):
        cv.copy_key(spec, "groupBy", rule, "query_key")
    cv.copy_key(spec, "timestampField", rule, "timestamp_field")
    cv.put(spec, "severity", DEFAULT_SEVERITY, rule)
    subject = rule.get("alert_subject")
    if isinstance(subject, str) and subject.strip() and "alert_subject_args" in rule:
        summary = _subject(rule, subject, spec, diags)
        if summary is None:
            return None
        cv.put(spec, "summary", summary, (rule, "alert_subject"))
    else:
        cv.put(spec, "summary", subject if isinstance(subject, str) and subject.strip() else name,
               (rule, "alert_subject") if isinstance(subject, str) else (rule, "name"))
    spec.notes.append("severity warning and summary from alert_subject (else the name): ElastAlert has neither")
    if isinstance(rule.get("description"), str):
        cv.copy_key(spec, "description", rule)
    realert = cv.es_timeframe(rule.get("realert"), allow_zero=True)
    if realert:
        cv.put(spec, "realert", realert, (rule, "realert"))
    elif "aggregation" not in rule:
        spec.notes.append("no realert (ElastAlert repeats every minute): obs's default for the severity applies "
                          "(defaults.logs.realert)")
    cv.put(spec, "targets", ["elastalert"], (rule, "alert"))
    spec.notes.append("targets [elastalert]: the rule keeps running where it ran; its ElastAlert alerters "
                      "are not obs/v1 fields (name obs Channels in notify)")
    return doc


def index_pattern(index: str) -> str:
    """The index pattern that matches what a strftime index names on any day: `logs-%Y.%m.%d` → `logs-*`
    (the formatted part becomes one `*`, as ElastAlert itself writes it when it has no time range)."""
    first, last = index.find("%"), index.rfind("%")
    return index if first < 0 else index[:first] + "*" + index[last + 2:]


def _subject(rule: PosDict, subject: str, spec: PosDict, diags: Diagnostics) -> str | None:
    """`alert_subject` formatted with `alert_subject_args` (str.format by position) as a summary with field
    references: `OOM in {0}` + [kubernetes.pod_name] → `OOM in {{ kubernetes.pod_name }}`. An argument that
    names one of the rule's own options (ElastAlert's fallback, typically `name`) is written as its value."""
    import string
    args = rule["alert_subject_args"]
    where = rule.where("alert_subject_args")
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        diags.error(ES_INVALID, "alert_subject_args is a list of field names", where)
        return None
    out, auto = [], 0
    try:
        parsed = list(string.Formatter().parse(subject))
    except ValueError as e:
        diags.error(ES_INVALID, f"alert_subject is not a format string ElastAlert can fill: {e}",
                    rule.where("alert_subject"))
        return None
    for literal, field, spec_, conversion in parsed:
        out.append(literal)
        if field is None:
            continue
        if field == "":
            field, auto = str(auto), auto + 1
        if not field.isdigit() or int(field) >= len(args):
            diags.error(ES_INVALID, f"alert_subject has {{{field}}}, but alert_subject_args has {len(args)} "
                        "field(s): ElastAlert fills the placeholders by position", rule.where("alert_subject"))
            return None
        arg = args[int(field)]
        if spec_ or conversion:
            spec.notes.append(f"alert_subject {{{field}!{conversion or ''}:{spec_ or ''}}}: the format is dropped")
        own = rule.get(arg) if arg in rule and arg != "alert_subject_args" else None
        if isinstance(own, (str, int, float)) and not isinstance(own, bool):
            out.append(str(own))
            spec.notes.append(f"alert_subject_args {arg!r} is the rule's own option: its value is written in")
        else:
            out.append("{{ " + arg + " }}")
    return "".join(out)


def _query(rule: PosDict, spec: PosDict) -> None:
    """A single query_string filter becomes `query:` (Lucene); any other filter stays query DSL."""
    filters = rule.get("filter")
    if not filters:
        return
    qs = _lucene(filters)
    if qs is not None:
        cv.put(spec, "query", qs["query"], (qs, "query"))
    else:
        cv.put(spec, "filter", filters, (rule, "filter"))


def _condition(rule: PosDict, kind: str, diags: Diagnostics) -> tuple[Any, bool]:
    """(when, mapped onto the grammar?); (None, _) after a diagnostic."""
    options, blocking = _OPTIONS.get(kind, ((), ()))
    if not any(k in rule for k in blocking):
        try:
            text = _grammar(rule, kind)
        except _Missing as e:
            diags.error(ES_INVALID, f"an ElastAlert {kind} rule needs {e.args[0]}", rule.where("type"))
            return None, False
        if text is not None:
            return text, True
    passthrough = cv.node(rule)
    body = cv.node(rule)
    cv.put(body, "type", kind, (rule, "type"))
    for key in options:
        cv.copy_key(body, key, rule)
    cv.put(passthrough, "elastalert", body, (rule, "type"))
    return passthrough, False


class _Missing(Exception):
    pass


def _number(rule: PosDict, key: str) -> str:
    value = rule.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Missing(f"'{key}', a number")
    return str(int(value)) if float(value).is_integer() else repr(value)


def _window(rule: PosDict, key: str = "timeframe") -> str:
    value = cv.es_timeframe(rule.get(key))
    if value is None:
        raise _Missing(f"'{key}', a time such as {{minutes: 5}}")
    return value


def _grammar(rule: PosDict, kind: str) -> str | None:
    """The condition in the string grammar, or None when the type does not fit it."""
    if kind == "any":
        return "any"
    if kind == "frequency":
        return f"count >= {_number(rule, 'num_events')} in {_window(rule)}"
    if kind == "flatline":
        return f"count < {_number(rule, 'threshold')} in {_window(rule)}"
    if kind == "spike":
        direction = rule.get("spike_type", "both")
        if direction not in ("up", "down", "both"):
            raise _Missing("'spike_type', one of up, down or both")
        return f"spike {direction} x{_number(rule, 'spike_height')} in {_window(rule)}"
    if kind == "new_term":
        fields = rule.get("fields", rule.get("query_key"))
        fields = [fields] if isinstance(fields, str) else fields
        if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
            return None  # composite (nested list) fields are ElastAlert's own
        return "new value of " + ", ".join(fields)
    if kind == "cardinality":
        field = rule.get("cardinality_field")
        if not isinstance(field, str):
            raise _Missing("'cardinality_field'")
        bounds = [(op, k) for op, k in ((">", "max_cardinality"), ("<", "min_cardinality")) if k in rule]
        if len(bounds) != 1:
            return None
        return f"distinct {field} {bounds[0][0]} {_number(rule, bounds[0][1])} in {_window(rule)}"
    if kind == "metric_aggregation":
        field, agg = rule.get("metric_agg_key"), rule.get("metric_agg_type")
        bounds = [(op, k) for op, k in ((">", "max_threshold"), ("<", "min_threshold")) if k in rule]
        if not isinstance(field, str) or agg not in ("avg", "min", "max", "sum") or len(bounds) != 1 \
                or "buffer_time" not in rule:
            return None
        return f"{agg}({field}) {bounds[0][0]} {_number(rule, bounds[0][1])} in {_window(rule, 'buffer_time')}"
    if kind == "percentage_match":
        return _percentage(rule)
    return None


def _lucene(filters: Any) -> PosDict | None:
    """The query_string mapping when `filters` is one `query_string` with only a query."""
    if not (isinstance(filters, list) and len(filters) == 1 and isinstance(filters[0], dict)):
        return None
    item = filters[0]
    inner = item.get("query") if list(item) == ["query"] else item
    qs = inner.get("query_string") if isinstance(inner, dict) and list(inner) == ["query_string"] else None
    return qs if isinstance(qs, PosDict) and list(qs) == ["query"] and isinstance(qs["query"], str) else None


def _percentage(rule: PosDict) -> str | None:
    bounds = [(op, k) for op, k in ((">", "max_percentage"), ("<", "min_percentage")) if k in rule]
    if len(bounds) != 1 or "buffer_time" not in rule or _lucene(rule.get("match_bucket_filter")) is None:
        return None
    return f"ratio {bounds[0][0]} {_number(rule, bounds[0][1])}% in {_window(rule, 'buffer_time')}"
