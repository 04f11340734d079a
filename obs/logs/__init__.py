"""Log alerts (SPEC §1.5): the condition grammar, the searches behind it, channels as alerters.

`condition_of(entry)` is the one place a LogAlertEntry's `when:` is read, so every target and
check reports the same problem at the same position (Diagnostics collapses the repeats).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from obs import codes
from obs.catalog import Catalog, LogAlertEntry
from obs.diagnostics import Diagnostic, Position
from obs.logs.condition import Condition, parse_condition

if TYPE_CHECKING:
    from obs.logs.search import Plan

UNSUPPORTED = codes.define("LG002", "logs/target-cannot-express",
                           "A log alert's condition cannot be expressed by one of its targets (the message names it).")
MATCH_USE = codes.define("LG003", "logs/match", "`match:` is given without a `ratio` condition, or a `ratio` lacks it.")


def condition_of(entry: LogAlertEntry) -> Condition | Diagnostic:
    spec = entry.spec
    cond = parse_condition(spec.when, spec.pos_of("when"))
    if isinstance(cond, Diagnostic):
        return cond
    if cond.kind == "ratio" and not spec.match:
        return Diagnostic(MATCH_USE, f"log alert {entry.name!r}: a `ratio` condition needs `match:`, the query "
                          "whose share of the `query` matches is measured", spec.pos_of("when"),
                          hint="match: 'log:\"slow\"'")
    if spec.match and cond.kind != "ratio":
        return Diagnostic(MATCH_USE, f"log alert {entry.name!r}: `match:` is only used by `ratio` conditions",
                          spec.pos_of("match"))
    return cond


def search_plan(catalog: Catalog, entry: LogAlertEntry, target: str) -> tuple[Condition, Plan] | Diagnostic:
    """The condition and the search behind it, for the targets that search themselves (watcher,
    opensearch-monitor); a legacy ElastAlert rule, a condition they cannot express or a channel
    they cannot reach is one error."""
    from obs.logs.channels import cannot_sign
    from obs.logs.search import Unsupported, plan
    if entry.raw is not None:
        return unsupported(entry, target, "it is a rule kept from an ElastAlert file; its options are ElastAlert's")
    cond = condition_of(entry)
    if isinstance(cond, Diagnostic):
        return cond
    try:
        found = cond, with_referenced_fields(entry, plan(entry, cond, catalog.defaults.logs.schedule))
    except Unsupported as e:
        return unsupported(entry, target, str(e))
    return cannot_sign(catalog, entry, target) or found


def grouped_field(entry: LogAlertEntry) -> str | None:
    """The one `groupBy` field whose fullest bucket the search returns (watches and monitors group by terms)."""
    return entry.spec.group_by[0] if len(entry.spec.group_by) == 1 else None


#: the sub-aggregation of a group's bucket that holds its newest line
NEWEST = "newest"


def with_referenced_fields(entry: LogAlertEntry, p: Plan) -> Plan:
    """A search that also returns the newest matching line when summary or description reference its fields
    (obs.logs.template), only those fields of _source: the newest line of each group for a `groupBy` alert
    (the fullest group is the one the condition fires for), else the newest line of all."""
    from dataclasses import replace

    from obs.logs.template import fields
    wanted = [f for f in fields(entry.spec.summary, entry.spec.description) if f != grouped_field(entry)]
    if not wanted:
        return p
    newest = {"size": 1, "sort": [{entry.timestamp_field: {"order": "desc"}}], "_source": wanted}
    groups = p.body.get("aggregations", {}).get("groups")
    if groups is None:
        return replace(p, body={**p.body, **newest})
    aggs = {**p.body["aggregations"], "groups": {**groups, "aggregations": {NEWEST: {"top_hits": newest}}}}
    return replace(p, body={**p.body, "aggregations": aggs})


def unsupported(entry: LogAlertEntry, target: str, why: str, pos: Position | None = None) -> Diagnostic:
    return Diagnostic(UNSUPPORTED, f"log alert {entry.name!r}: target {target} cannot express "
                      f"`{_when(entry)}`: {why}", pos or entry.spec.pos_of("when"),
                      hint=f"remove {target} from this alert's `targets:` or choose a condition it can express")


def _when(entry: LogAlertEntry) -> str:
    w = entry.spec.when
    if isinstance(w, str):
        return w
    cond = condition_of(entry)
    return cond.describe() if isinstance(cond, Condition) else str(w)


def timeframe(window: str) -> dict[str, int]:
    """An ElastAlert time value (`{minutes: 5}`) in the largest unit that divides the window exactly."""
    from obs import durations
    secs = int(durations.seconds(window))
    if secs == 0:
        return {"minutes": 0}
    for unit, size in (("weeks", 604800), ("days", 86400), ("hours", 3600), ("minutes", 60)):
        if secs % size == 0:
            return {unit: secs // size}
    return {"seconds": secs}


def indices(entry: LogAlertEntry) -> list[str]:
    """`index: a-*, b-*` as index expressions: Watcher and OpenSearch take a list and never split an
    element at commas, and a blank after a comma would be part of the name."""
    return [part.strip() for part in entry.index.split(",") if part.strip()]

