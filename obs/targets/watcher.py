"""Elasticsearch Watcher watches: out/watcher/<id>.json, the body of `PUT _watcher/watch/<id>`.

The search and condition come from obs.logs.search (shared with OpenSearch monitors); a
condition a watch cannot express is an error naming this target. Channel secrets stay `${VAR}`
placeholders that `obs apply` fills (docs/logs.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from obs import durations, jsonindent
from obs.catalog import Catalog, LogAlertEntry
from obs.diagnostics import Diagnostic, Diagnostics
from obs.logs import grouped_field, indices, search_plan, template
from obs.logs.channels import alert_labels, message, watcher_actions
from obs.logs.search import painless
from obs.targets import Artifact

TARGET = "watcher"
ROOT, TOTAL = "ctx.payload", "ctx.payload.hits.total"


def watch_id(catalog: Catalog, entry: LogAlertEntry) -> str:
    return f"{catalog.name}-{entry.name}"


def time_value(duration: str, units: str = "dhms") -> str:
    """An obs duration in one Elasticsearch unit, the largest that divides it: a TimeValue
    (`throttle_period`) has no `w` and no compound `1h30m`; a schedule interval (`units="wdhms"`)
    takes whole s/m/h/d/w only, so a fraction of a second rounds up to 1s there."""
    secs = durations.seconds(duration)
    if secs == 0:
        return "0s"
    if not secs.is_integer():
        return f"{round(secs * 1000)}ms" if "w" not in units else f"{max(1, math.ceil(secs))}s"
    for unit in units:
        size = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}[unit]
        if secs % size == 0:
            return f"{int(secs) // size}{unit}"
    return f"{int(secs)}s"


def metadata(catalog: Catalog, entry: LogAlertEntry, when: str) -> dict:
    """Provenance: which project, service and source line a watch came from (also how apply knows it owns it)."""
    return {"obs": {"project": catalog.name, "service": entry.service, "alert": entry.name,
                    "source": str(entry.origin), "condition": when, "severity": entry.spec.severity,
                    "labels": alert_labels(entry)}}


def build_watch(catalog: Catalog, entry: LogAlertEntry, needs: set) -> dict | Diagnostic:
    schedule = catalog.defaults.logs.schedule
    found = search_plan(catalog, entry, TARGET)
    if isinstance(found, Diagnostic):
        return found
    cond, p = found
    if p.compare is not None:
        path, op, value = p.compare
        condition = {"compare": {f"ctx.payload.{path}": {op: value}}}
    else:
        condition = {"script": {"lang": "painless", "source": painless(p, ROOT, TOTAL)}}
    ref = template.mustache(ROOT, grouped_field(entry), "groups" in p.body.get("aggregations", {}))
    text = message(entry, ref) + f"\n\n{{{{{TOTAL}}}}} matching log lines in the last {cond.window or schedule} " \
                                 f"({cond.describe()}); watch {{{{ctx.watch_id}}}}"
    watch = {
        "trigger": {"schedule": {"interval": time_value(schedule, "wdhms")}},
        "input": {"search": {"request": {"indices": indices(entry), "rest_total_hits_as_int": True, "body": p.body}}},
        "condition": condition,
        "actions": watcher_actions(catalog, entry, text, needs, ref) or
        {"log": {"logging": {"level": "warn", "text": text}}},
        "metadata": metadata(catalog, entry, cond.describe()),
    }
    if entry.realert:
        watch["throttle_period"] = time_value(entry.realert)
    return watch


def json_per_alert(catalog: Catalog, diags: Diagnostics, target: str, folder: str,
                   build: Callable[[Catalog, LogAlertEntry], dict | Diagnostic]) -> list[Artifact]:
    """One JSON body per log alert of `target` (watches and monitors alike), in name order; an
    alert the target cannot express is its diagnostic instead."""
    out = []
    for entry in sorted(catalog.log_alerts, key=lambda e: e.name):
        if target not in entry.targets:
            continue
        body = build(catalog, entry)
        if isinstance(body, Diagnostic):
            diags.add(body)
            continue
        text = jsonindent.dumps(body, sort_keys=True) + "\n"
        out.append(Artifact.text(f"{folder}/{watch_id(catalog, entry)}.json", text, target, [entry.origin]))
    return out


def compile(catalog: Catalog, diags: Diagnostics) -> list[Artifact]:
    return json_per_alert(catalog, diags, TARGET, "watcher", lambda c, e: build_watch(c, e, set()))
