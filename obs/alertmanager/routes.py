"""The route tree and inhibition rules: by team, then severity, then channels.

    route (default receiver, grouping defaults)
    ├─ team="payments"                      one per team that has alerts (continue: false)
    │  ├─ severity="critical"               one per severity the team uses; its repeat interval
    │  │  ├─ <channel whose match fits>     receiver = channel, the match's other labels as matchers
    │  │  └─ <channel from notify:>         service + alertname (or slo) matchers, where match does not
    │  │                                    already deliver it
    │  └─ <team channels again>             for severities no rule declares statically
    └─ <every matching channel>             alerts of teams obs does not know

Every channel route has `continue: true`, so an alert reaches every channel that wants it once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from obs.catalog import Catalog, ChannelEntry

SEVERITIES = ("critical", "warning", "info")


@dataclass
class Source:
    """An alert (or an SLO's alerts) as routing sees it."""

    team: str | None
    severities: set[str]
    kind: str  # "alertname" or "slo"
    service: str | None
    name: str
    labels: dict[str, str]
    notify: tuple[str, ...] = ()


@dataclass
class Plan:
    sources: list[Source] = field(default_factory=list)

    def teams(self) -> list[str]:
        return sorted({s.team for s in self.sources if s.team})

    def severities(self, team: str) -> list[str]:
        used = {sev for s in self.sources if s.team == team for sev in s.severities}
        return [s for s in SEVERITIES if s in used] + sorted(used - set(SEVERITIES))


def sources(catalog: Catalog) -> Plan:
    plan = Plan()
    for a in catalog.alerts:
        plan.sources.append(Source(a.labels.get("team"), {a.labels["severity"]}, "alertname", a.service, a.spec.name,
                                   {**a.labels, "alertname": a.spec.name}, a.notify))
    for s in catalog.slos:
        alerting = s.spec.alerting
        sev = ({"critical"} if alerting.page.enabled else set()) | \
              ({"warning"} if alerting.ticket.enabled or (alerting.absent and alerting.absent.enabled) else set())
        plan.sources.append(Source(s.labels.get("team"), sev, "slo", s.service, s.name,
                                   {**s.labels, "service": s.service, "slo": s.name}, s.notify))
    for g in catalog.rule_groups:
        sev = {r.labels["severity"] for r in g.rules if r.alert and "severity" in r.labels}
        plan.sources.append(Source(g.team, sev, "group", g.service, g.name, dict(g.labels)))
    for log in catalog.log_alerts:
        plan.sources.append(Source(log.team, {log.spec.severity}, "log", log.service, log.name, dict(log.labels),
                                   log.notify))
    return plan


def matcher(label: str, value: str, op: str = "=") -> str:
    return f"{label}{op}{json.dumps(value, ensure_ascii=False)}"


def _timing(ch: ChannelEntry) -> dict:
    s, out = ch.spec, {}
    for key, value in (("group_by", s.groupBy), ("group_wait", s.groupWait), ("group_interval", s.groupInterval),
                       ("repeat_interval", s.repeatInterval)):
        if value:
            out[key] = list(value) if isinstance(value, list) else value
    return out


def _channel_route(ch: ChannelEntry, fixed: dict[str, str]) -> dict | None:
    """The route of a channel's `match` below a node that already fixed some labels; None if it cannot fit."""
    if not ch.spec.match or any(ch.spec.match.get(k, v) != v for k, v in fixed.items()):
        return None
    rest = [matcher(k, v) for k, v in sorted(ch.spec.match.items()) if k not in fixed]
    return {"receiver": ch.name, **({"matchers": rest} if rest else {}), **_timing(ch), "continue": True}


def _delivered_by_match(ch: ChannelEntry, src: Source) -> bool:
    return bool(ch.spec.match) and all(src.labels.get(k) == v for k, v in ch.spec.match.items())


def _notify_routes(catalog: Catalog, plan: Plan, team: str, severity: str) -> list[dict]:
    # log alerts reach Alertmanager only when forwarded (`defaults.logs.alertmanager`); then their
    # `notify:` is Alertmanager's to deliver, by the alertname ElastAlert and Watcher send
    routed = ("alertname", "slo", "log") if catalog.defaults.logs.alertmanager else ("alertname", "slo")
    wanted: dict[tuple[str, str | None, str], set[str]] = {}
    for src in plan.sources:
        if src.team != team or severity not in src.severities or src.kind not in routed:
            continue
        for name in src.notify:
            ch = catalog.channels.get(name)
            if ch is not None and not _delivered_by_match(ch, src):
                kind = "alertname" if src.kind == "log" else src.kind
                wanted.setdefault((name, src.service, kind), set()).add(src.name)
    routes = []
    for (name, service, kind), names in sorted(wanted.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2])):
        ms = [matcher("service", service)] if service else []
        ordered = sorted(names)
        ms.append(matcher(kind, ordered[0]) if len(ordered) == 1 else matcher(kind, "|".join(ordered), "=~"))
        routes.append({"receiver": name, "matchers": ms, **_timing(catalog.channels[name]), "continue": True})
    return routes


def route_tree(catalog: Catalog, plan: Plan, default_receiver: str) -> dict:
    d = catalog.defaults.alertmanager
    root = {"receiver": default_receiver, "group_by": list(d.groupBy), "group_wait": d.groupWait,
            "group_interval": d.groupInterval, "repeat_interval": d.repeatInterval, "routes": []}
    channels = list(catalog.channels.values())
    for team in plan.teams():
        children = []
        for severity in plan.severities(team):
            fixed = {"team": team, "severity": severity}
            routes = [r for ch in channels if (r := _channel_route(ch, fixed))]
            routes += _notify_routes(catalog, plan, team, severity)
            node: dict = {"matchers": [matcher("severity", severity)]}
            if severity in d.severityRepeatIntervals:
                node["repeat_interval"] = d.severityRepeatIntervals[severity]
            if routes:
                node["routes"] = routes
            children.append(node)
        children += [r for ch in channels if (r := _channel_route(ch, {"team": team}))]
        root["routes"].append({"matchers": [matcher("team", team)], "routes": children})
    root["routes"] += [r for ch in channels if (r := _channel_route(ch, {}))]
    if not root["routes"]:
        del root["routes"]
    return root


def inhibit_rules(catalog: Catalog) -> list[dict]:
    """A critical burn alert silences the warning of the same SLO (same service, slo, groupBy
    values and project labels such as cluster); non-SLO alerts are never inhibited."""
    project = set(catalog.defaults.labels) | set(catalog.project.metadata.labels)
    grouped = {label for s in catalog.slos for label in s.spec.sli.group_by} if catalog.slos else set()
    equal = ["service", "slo", *sorted((project | grouped) - {"service", "slo"})]
    return [{"source_matchers": [matcher("severity", "critical"), matcher("slo", ".+", "=~")],
             "target_matchers": [matcher("severity", "warning"), matcher("slo", ".+", "=~")],
             "equal": equal}]
