"""Definitions → Catalog: defaults, standalone items, rule packs, labels and names.

Pure: the same definitions give the same Catalog. Problems that make an item unusable are
reported here; everything a person might want to know about (duplicates, references) is a
registered check in obs/checks that reads the Catalog and the Definitions.
"""

from __future__ import annotations

from pathlib import Path

from obs import codes, packs
from obs.catalog import AlertEntry, Catalog, ChannelEntry, LogAlertEntry, Origin, RuleGroupEntry, ServiceEntry, SLOEntry
from obs.diagnostics import Diagnostics
from obs.load.parse import Definitions, Standalone
from obs.model import SLO, AlertRule, LogAlert, SkyWalking
from obs.model.documents import ServiceDoc
from obs.model.service import Workload
from obs.project import Project

UNKNOWN_SERVICE = codes.define("RF007", "ref/unknown-service",
                               "A standalone item or rule group names a service that no Service document defines.")
DEFAULT_SLO_ALERT = "ErrorBudgetBurn"


def resolve(root: Path, project: Project, defs: Definitions, diags: Diagnostics,
            dashboard_files: tuple[str, ...] = ()) -> Catalog:
    base = {**project.spec.defaults.labels, **project.metadata.labels}
    services: dict[str, ServiceEntry] = {}
    for doc, src in defs.services:
        if doc.metadata.name not in services:
            services[doc.metadata.name] = _service(doc, src.format, project, base)
    slos, alerts, logs = [], [], []
    for name, svc in services.items():
        slos += [_slo(slo, svc, project, svc.origin.format) for slo in svc.spec.slos]
        alerts += [_alert(a, svc, svc.origin.format) for a in svc.spec.alerts]
        logs += [_log_alert(a, svc, project, svc.origin.format) for a in svc.spec.logAlerts]
        for use in svc.spec.uses:
            alerts += [_alert(a, svc, "pack", pack=use.pack) for a in packs.expand(use, svc, diags)]
    for item in defs.standalone:
        if item.service is None and isinstance(item.item, LogAlert):
            logs.append(_log_alert(item.item, None, project, item.doc.format, base, item))
            continue
        svc = services.get(item.service or "")
        if svc is None and defs.may_define("Service", item.service or ""):
            continue  # its service failed to load: that error is the one to fix
        if svc is None:
            diags.error(UNKNOWN_SERVICE, f"{item.kind} {item.item.name!r} names service {item.service!r}, "
                        "which no Service document defines", item.doc.data.where("metadata"))
            continue
        if isinstance(item.item, SLO):
            slos.append(_slo(item.item, svc, project, item.doc.format))
        elif isinstance(item.item, AlertRule):
            alerts.append(_alert(item.item, svc, item.doc.format))
        elif isinstance(item.item, LogAlert):
            logs.append(_log_alert(item.item, svc, project, item.doc.format, base, item))
    groups = []
    for doc, src in defs.rule_groups:
        owner = doc.metadata.service
        if owner and owner not in services:
            if not defs.may_define("Service", owner):
                diags.error(UNKNOWN_SERVICE, f"rule group {doc.metadata.name!r} names service {owner!r}, which "
                            "no Service document defines", doc.metadata.pos_of("service"))
            owner = None
        team = doc.metadata.team or (services[owner].team if owner else None)
        labels = {**base, **doc.metadata.labels, **({"team": team} if team else {})}
        groups.append(RuleGroupEntry(doc.metadata.name, owner, team, doc.spec.interval, tuple(doc.spec.rules), labels,
                                     Origin(doc.pos, src.format), doc.spec.limit, doc.spec.query_offset))
    channels = {}
    for doc, src in defs.channels:
        channels.setdefault(doc.metadata.name, ChannelEntry(doc.metadata.name, doc.spec, Origin(doc.pos, src.format)))
    policies = _policies(defs, diags)
    return Catalog(root, project, dict(sorted(services.items())), tuple(slos), tuple(alerts), tuple(groups),
                   tuple(logs), dict(sorted(channels.items())), tuple(dashboard_files), policies)


POLICY_TWICE = codes.define("SC016", "schema/burn-rate-policy-twice",
                            "Two BurnRatePolicy documents (e.g. Sloth AlertWindows) for the same SLO window.")


def _policies(defs: Definitions, diags: Diagnostics) -> dict[float, tuple]:
    """Window (seconds) → (tier, long s, short s, factor) rows, exactly for that window; one per window."""
    from obs.durations import seconds
    out: dict[float, tuple] = {}
    for doc, _src in defs.policies:
        period = seconds(doc.spec.window)
        if period in out:
            diags.error(POLICY_TWICE, f"a second BurnRatePolicy for SLO window {doc.spec.window} "
                        f"({doc.metadata.name!r}): one policy per window", doc.spec.pos_of("window"))
            continue
        rows = []
        for w in doc.spec.windows:
            long_s = seconds(w.long)
            factor = w.factor if w.factor is not None else w.budget / 100 * period / long_s
            rows.append((w.tier, long_s, seconds(w.short), float(factor)))
        out[period] = tuple(rows)
    return out


def _service(doc: ServiceDoc, fmt: str, project: Project, base: dict[str, str]) -> ServiceEntry:
    spec, name = doc.spec, doc.metadata.name
    workload = spec.workload or Workload()
    workload = workload.model_copy(update={"name": workload.name or name})
    workload._source = (spec.workload or Workload())._source
    labels = {**base, **doc.metadata.labels, "team": doc.metadata.team, "service": name}
    dashboards = tuple(spec.dashboards) if spec.dashboards is not None else _default_dashboards(spec.runtime)
    return ServiceEntry(name, doc.metadata.team, spec.namespace, spec.runtime, workload, labels, dashboards,
                        _apm(spec, project), spec, Origin(doc.pos, fmt))


def _default_dashboards(runtime: str) -> tuple[str, ...]:
    return {"java": ("red", "jvm"), "python": ("red", "python"), "nodejs": ("red",), "go": ("red",)}.get(runtime, ())


def _apm(spec, project: Project) -> SkyWalking | None:
    sw = spec.apm.skywalking if spec.apm else None
    if sw is None or not sw.enabled:
        return None
    d = project.spec.defaults.skywalking
    filled = sw.model_copy(update={
        "mode": sw.mode or d.mode, "agentVersion": sw.agentVersion or d.agentVersion,
        "backend": sw.backend or d.backend, "image": sw.image or d.image})
    filled._source = sw._source
    return filled


def _slo(slo: SLO, svc: ServiceEntry, project: Project, fmt: str) -> SLOEntry:
    labels = {**svc.labels, **slo.alerting.labels, **slo.labels}
    labels.pop("service", None)
    return SLOEntry(svc.name, slo.name, slo, slo.window or project.spec.defaults.slo.window, slo.objective, labels,
                    slo.alerting.name or DEFAULT_SLO_ALERT, tuple(slo.alerting.notify), slo.alerting.runbook,
                    Origin(slo.pos, fmt))


def _alert(rule: AlertRule, svc: ServiceEntry, fmt: str, pack: str | None = None) -> AlertEntry:
    labels = {**svc.labels, **rule.labels, "severity": rule.severity}
    annotations = {"summary": rule.summary}
    if rule.description:
        annotations["description"] = rule.description
    if rule.runbook:
        annotations["runbook_url"] = rule.runbook
    annotations.update(rule.annotations)
    return AlertEntry(svc.name, rule, labels, annotations, tuple(rule.notify), Origin(rule.pos, fmt), pack)


def _log_alert(alert: LogAlert, svc: ServiceEntry | None, project: Project, fmt: str,
               base: dict[str, str] | None = None, standalone: Standalone | None = None) -> LogAlertEntry:
    """A log alert with its defaults; one read from an ElastAlert file keeps the original rule."""
    d = project.spec.defaults.logs
    team = svc.team if svc else (standalone.doc.data["metadata"].get("team") if standalone else None)
    owner = svc.labels if svc else {**(base or {}), **({"team": team} if team else {})}
    labels = {**owner, **alert.labels, "severity": alert.severity}
    raw = standalone.doc.original if standalone and fmt == "elastalert" else None
    realert = alert.realert or (None if d.alertmanager else getattr(d.realert, alert.severity))
    return LogAlertEntry(svc.name if svc else None, alert.name, alert, alert.index or d.index,
                         alert.timestampField or d.timestampField, tuple(alert.targets or d.targets), labels,
                         tuple(alert.notify), team, Origin(alert.pos, fmt), raw, realert)
