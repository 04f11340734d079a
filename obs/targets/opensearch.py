"""OpenSearch Alerting query-level monitors: out/opensearch/<id>.json (`POST _plugins/_alerting/monitors`).

Same search and condition as the watches (obs.logs.search), the condition as a Painless trigger
over `ctx.results[0]`. Actions name OpenSearch Notifications channels `obs-<channel>`, whose
bodies are out/opensearch-notifications/ (obs.logs.notifications) and which `obs apply` creates
with the secrets filled, so a monitor holds no secret (docs/logs.md).
"""

from __future__ import annotations

import math

from obs import durations
from obs.catalog import Catalog, LogAlertEntry
from obs.diagnostics import Diagnostic, Diagnostics
from obs.logs import grouped_field, indices, search_plan, template
from obs.logs.channels import message, monitor_actions
from obs.logs.notifications import compile_channels
from obs.logs.search import painless
from obs.targets import Artifact
from obs.targets.watcher import json_per_alert, metadata, watch_id

TARGET = "opensearch-monitor"
ROOT, TOTAL = "ctx.results[0]", "ctx.results[0].hits.total.value"
#: the same value in a mustache template: mustache indexes lists with `.0`, `[0]` renders nothing
ROOT_MUSTACHE = "ctx.results.0"
TOTAL_MUSTACHE = f"{ROOT_MUSTACHE}.hits.total.value"
SEVERITY = {"critical": "1", "warning": "3", "info": "5"}


def _minutes(duration: str) -> int:
    return max(1, math.ceil(durations.seconds(duration) / 60))


def build_monitor(catalog: Catalog, entry: LogAlertEntry) -> dict | Diagnostic:
    schedule = catalog.defaults.logs.schedule
    found = search_plan(catalog, entry, TARGET)
    if isinstance(found, Diagnostic):
        return found
    cond, p = found
    ref = template.mustache(ROOT_MUSTACHE, grouped_field(entry), "groups" in p.body.get("aggregations", {}))
    text = message(entry, ref) + f"\n\n{{{{{TOTAL_MUSTACHE}}}}} matching log lines in the last " \
                                 f"{cond.window or schedule} ({cond.describe()}); monitor {{{{ctx.monitor.name}}}}"
    # OpenSearch throttles in whole minutes (a shorter realert rounds up); realert 0 is no throttle
    throttle = _minutes(entry.realert) if entry.realert and durations.seconds(entry.realert) else None
    return {
        "type": "monitor", "monitor_type": "query_level_monitor", "name": watch_id(catalog, entry), "enabled": True,
        "schedule": {"period": {"interval": _minutes(schedule), "unit": "MINUTES"}},
        "inputs": [{"search": {"indices": indices(entry), "query": {**p.body, "track_total_hits": True}}}],
        "triggers": [{"query_level_trigger": {
            "name": entry.name, "severity": SEVERITY[entry.spec.severity],
            "condition": {"script": {"lang": "painless", "source": painless(p, ROOT, TOTAL)}},
            "actions": monitor_actions(catalog, entry, text, throttle, ref)}}],
        "ui_metadata": metadata(catalog, entry, cond.describe()),
    }


def compile(catalog: Catalog, diags: Diagnostics) -> list[Artifact]:
    monitors = json_per_alert(catalog, diags, TARGET, "opensearch", build_monitor)
    names = {a.path.split("/")[-1][:-5] for a in monitors}
    sent = [e for e in sorted(catalog.log_alerts, key=lambda e: e.name) if watch_id(catalog, e) in names]
    return monitors + compile_channels(catalog, TARGET, sent)
