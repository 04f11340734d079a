"""OpenSLO v1 read as obs Services and SLOs: Service, SLO, SLI, DataSource, AlertPolicy,
AlertCondition and AlertNotificationTarget, inline or referenced by name across the project.

Ratio metrics on Prometheus become obs ratio SLIs when each query is a selector or
`sum(rate(SELECTOR[…]))` (obs writes the windows itself), raw SLIs when a query places
`$window` itself; what obs cannot honour (calendar windows, Timeslices, threshold metrics,
other data sources) is an error, never an approximation. docs/foreign.md has the mapping.
"""

from __future__ import annotations

import difflib
import re
from decimal import Decimal
from typing import Any

from obs import codes
from obs.diagnostics import Diagnostics
from obs.load import convert as cv
from obs.load.openslo_alerts import alert_policies
from obs.load.sources import SourceDoc
from obs.load.yamlpos import PosDict
from obs.model.slo import MIN_OBJECTIVE

OSLO_INVALID = codes.define("IM010", "import/openslo-invalid",
                            "An OpenSLO document is missing a field, has one of the wrong type, or is of an unknown "
                            "kind.")
OSLO_UNSUPPORTED = codes.define("IM011", "import/openslo-unsupported",
                                "An OpenSLO feature obs cannot honour (calendar windows, Timeslices, threshold "
                                "metrics, non-Prometheus sources).")
OSLO_REF = codes.define("IM012", "import/openslo-reference",
                        "An OpenSLO reference (indicatorRef, metricSourceRef, alertPolicyRef…) names no document.")

KINDS = ("Service", "SLO", "SLI", "DataSource", "AlertPolicy", "AlertCondition", "AlertNotificationTarget")
_SLO_SPEC = ("description", "service", "indicator", "indicatorRef", "timeWindow", "budgetingMethod", "objectives",
             "alertPolicies")
#: the fields of each v1 object, as the OpenSLO go-sdk decodes them (it refuses any other: oslo validate)
_FIELDS: dict[str, tuple[str, ...]] = {
    "": ("apiVersion", "kind", "metadata", "spec"), "metadata": ("name", "displayName", "labels", "annotations"),
    "Service": ("description",), "SLO": _SLO_SPEC, "SLI": ("description", "thresholdMetric", "ratioMetric"),
    "DataSource": ("description", "type", "connectionDetails"),
    "AlertPolicy": ("description", "alertWhenNoData", "alertWhenBreaching", "alertWhenResolved", "conditions",
                    "notificationTargets"),
    "AlertCondition": ("description", "severity", "condition"), "AlertNotificationTarget": ("description", "target"),
}
#: an OpenSLO v1 name is an RFC 1123 DNS label (go-sdk: rules.StringDNSLabel)
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


def detect(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("apiVersion") in ("openslo/v1", "openslo/v1alpha")


def adapt(docs: list[SourceDoc], diags: Diagnostics) -> list[SourceDoc]:
    from obs.load.openslo_v1alpha import as_v1
    index: dict[str, dict[str, PosDict]] = {k: {} for k in KINDS}
    items = []
    for original in docs:
        for doc in as_v1(original, diags):
            if doc.data.get("apiVersion") == "openslo/v1" and not _strict(doc, diags):  # v1alpha: checked in as_v1
                continue
            items.extend(_indexed(doc, index, diags))
    return _adapted(items, index, diags)


def _strict(doc: SourceDoc, diags: Diagnostics) -> bool:
    """Fields and names as the go-sdk decodes v1 (what oslo validate accepts); v1alpha, read as
    Sloth reads it, only warns of fields it ignores. False when the object cannot be read."""
    data, v1 = doc.data, doc.data.get("apiVersion") == "openslo/v1"
    kind = data.get("kind")
    checks = [(data, "", "an OpenSLO object"), (data.get("metadata"), "metadata", "OpenSLO metadata")]
    if kind in KINDS:
        checks.append((data.get("spec"), kind, f"an OpenSLO {kind} spec"))
    unknown = False
    for node, fields, where in checks:
        cv.unknown_keys(node, _FIELDS[fields], where, OSLO_INVALID, diags, warn=not v1)
        unknown |= isinstance(node, dict) and any(k not in _FIELDS[fields] for k in node)
    name = _name(data)
    if v1 and name is not None and not _DNS_LABEL.fullmatch(name):
        diags.error(OSLO_INVALID, f"OpenSLO name {name!r} is not a DNS label", data["metadata"].where("name"),
                    hint="lowercase letters, digits and '-', at most 63 characters (the OpenSLO v1 rule oslo "
                         "validate applies)")
        return False
    return not (v1 and unknown)  # the unknown field is the one line to fix


def _indexed(doc: SourceDoc, index: dict, diags: Diagnostics) -> list[tuple[str, str, SourceDoc]]:
    kind, name = doc.data.get("kind"), _name(doc.data)
    if kind not in KINDS:
        close = difflib.get_close_matches(str(kind), KINDS, n=1, cutoff=0.6)
        diags.error(OSLO_INVALID, f"OpenSLO has no kind {kind!r}", doc.data.where("kind"),
                    hint=f"did you mean '{close[0]}'?" if close else f"kinds: {', '.join(KINDS)}")
        return []
    if name is None:
        diags.error(OSLO_INVALID, f"an OpenSLO {kind} needs metadata.name", doc.data.where("metadata"))
        return []
    index[kind].setdefault(name, doc.data)
    return [(kind, name, doc)]


def _adapted(items: list, index: dict, diags: Diagnostics) -> list[SourceDoc]:
    out: list[SourceDoc] = []
    services_done: set[str] = set()
    for kind, name, doc in items:
        if kind == "Service":
            out.append(cv.source(doc, _service(doc.data, name)))
            services_done.add(name)
    for kind, name, doc in items:
        if kind != "SLO":
            continue
        built = _SLO(doc.data, name, index, diags).build()
        if built is None:
            continue
        service = built["metadata"]["service"]
        if service not in services_done:  # an SLO's service without an OpenSLO Service document
            services_done.add(service)
            out.append(cv.source(doc, _service(doc.data["spec"], service, implicit=True)))
        out.append(cv.source(doc, built))
    return out


def _no_alerts(spec: PosDict) -> PosDict:
    """Both tiers off: Sloth generates no alerts for OpenSLO v1alpha SLOs (the version has no alert policies)."""
    out = cv.node(spec)
    for tier in ("page", "ticket"):
        off = cv.node(spec)
        cv.put(off, "enabled", False, spec)
        cv.put(out, tier, off, spec)
    out.notes.append("no alerts: Sloth generates none for OpenSLO v1alpha; enable page/ticket here to have them")
    return out


def _name(data: Any) -> str | None:
    meta = data.get("metadata") if isinstance(data, dict) else None
    name = meta.get("name") if isinstance(meta, dict) else None
    return name if isinstance(name, str) and name else None


def _service(data: PosDict, name: str, implicit: bool = False) -> PosDict:
    """obs Service for an OpenSLO Service (or a service an SLO names); team from its `team` label."""
    doc, meta = cv.document("Service", data)
    at = (data, "service") if implicit else (data["metadata"], "name")
    cv.put(meta, "name", cv.slug(name), at)
    labels = {} if implicit else (data["metadata"].get("labels") or {})
    team = labels.get("team") if isinstance(labels, dict) else None
    team_at = (labels, "team") if isinstance(team, str) else at
    cv.put(meta, "team", team if isinstance(team, str) else cv.slug(name), team_at)
    doc.notes.append(f"OpenSLO service {name!r}; team from "
                     + ("its 'team' label" if isinstance(team, str) else "the service name (no 'team' label)"))
    spec = data.get("spec") if not implicit else None
    if isinstance(spec, dict) and isinstance(spec.get("description"), str):
        cv.copy_key(meta, "description", spec)
    return doc


class _SLO:
    def __init__(self, data: PosDict, name: str, index: dict, diags: Diagnostics) -> None:
        self.data, self.name, self.index, self.diags = data, name, index, diags

    def err(self, message: str, pos: Any, hint: str | None = None, code: str = OSLO_INVALID) -> None:
        self.diags.error(code, message, pos, hint=hint)

    def build(self) -> PosDict | None:
        spec = self.data.get("spec")
        if not isinstance(spec, PosDict):
            self.err(f"OpenSLO SLO {self.name!r} needs a 'spec' mapping", self.data.where("spec"))
            return None
        service = cv.text_field(spec, "service", "an OpenSLO SLO spec", OSLO_INVALID, self.diags)
        objective, window = self._objective(spec), self._window(spec)
        self._budgeting(spec)
        sli = self._indicator(spec)
        if service is None or objective is None or window is False or sli is None:
            return None
        doc, meta = cv.document("SLO", self.data)
        cv.put(meta, "name", cv.slug(self.name), (self.data["metadata"], "name"))
        cv.put(meta, "service", cv.slug(service), (spec, "service"))
        body = cv.node(spec)
        cv.put(doc, "spec", body, spec)
        if isinstance(spec.get("description"), str):
            cv.copy_key(body, "description", spec)
        cv.put(body, "objective", objective[0], objective[1])
        if window:
            cv.put(body, "window", window, (spec, "timeWindow"))
        cv.put(body, "sli", sli, (spec, "indicator") if "indicator" in spec else (spec, "indicatorRef"))
        alerting = alert_policies(spec, self.index, self.diags) if self.data.get("apiVersion") == "openslo/v1" \
            else _no_alerts(spec)
        if alerting is not None:
            cv.put(body, "alerting", alerting, (spec, "alertPolicies"))
        return doc

    def _objective(self, spec: PosDict) -> tuple[float, Any] | None:
        objectives = spec.get("objectives")
        if not isinstance(objectives, list) or not objectives:
            self.err("an OpenSLO SLO needs 'objectives' with one target", spec.where("objectives"))
            return None
        if len(objectives) > 1:
            self.err(f"obs SLOs have one objective; this SLO has {len(objectives)}", objectives.where(1),
                     hint="write one OpenSLO SLO per objective", code=OSLO_UNSUPPORTED)
            return None
        obj = objectives[0]
        if not isinstance(obj, PosDict):
            self.err("an objective must be a mapping", objectives.where(0))
            return None
        given = [k for k in ("target", "targetPercent") if obj.get(k) is not None]
        if len(given) != 1:
            self.err("an objective has exactly one of 'target' (0–1) and 'targetPercent' (0–100)", obj.pos)
            return None
        value, key = obj[given[0]], given[0]
        top = 1 if key == "target" else 100
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < top:
            hint = (f"did you mean targetPercent: {value}?" if key == "target" and isinstance(value, (int, float))
                    and 1 < value < 100 else None)
            self.err(f"{key} is a {'ratio between 0 and 1' if top == 1 else 'percentage between 0 and 100'}, "
                     f"exclusive (got {value!r})", obj.where(key), hint=hint)
            return None
        percent = float(Decimal(str(value)) * 100) if key == "target" else float(value)
        if percent < MIN_OBJECTIVE:
            hint = (f"did you mean target: {value} (or targetPercent: {(Decimal(str(value)) * 100).normalize():f})?"
                    if key == "targetPercent" and value < 1 else
                    f"{key} {value} means {percent:g}% of events good; objectives are such as target: 0.999")
            self.err(f"{key} {value} is an objective of {percent:g}%; objectives below {MIN_OBJECTIVE}% are refused "
                     "as mistakes", obj.where(key), hint=hint)
            return None
        return percent, (obj, key)

    def _window(self, spec: PosDict) -> str | None | bool:
        """The rolling window as an obs duration; None: project default; False: an error."""
        windows = spec.get("timeWindow")
        if windows is None and self.data.get("apiVersion") != "openslo/v1":
            return None  # v1alpha without timeWindows: Sloth's default period, obs's project default
        if windows is None:
            self.err("an OpenSLO v1 SLO needs 'timeWindow', a list of one window", self.data.where("spec"),
                     hint="for example timeWindow: [{duration: 28d, isRolling: true}] (oslo validate refuses an "
                          "SLO without one)")
            return False
        if not isinstance(windows, list) or len(windows) != 1 or not isinstance(windows[0], PosDict):
            self.err("timeWindow is a list of exactly one window", spec.where("timeWindow"))
            return False
        tw = windows[0]
        if tw.get("calendar") is not None or tw.get("isRolling") is False:
            self.err("obs SLOs have rolling windows; calendar-aligned windows are not supported",
                     tw.where("calendar") if "calendar" in tw else tw.where("isRolling"), code=OSLO_UNSUPPORTED,
                     hint="use isRolling: true with a duration such as 28d")
            return False
        duration = cv.shorthand(tw.get("duration"))
        if duration is None:
            self.err(f"timeWindow duration {tw.get('duration')!r} is not a fixed length obs can roll over",
                     tw.where("duration"), code=OSLO_UNSUPPORTED,
                     hint="write it in m, h, d or w (months, quarters and years vary in length: 30d, 90d)")
            return False
        return duration

    def _budgeting(self, spec: PosDict) -> None:
        method = spec.get("budgetingMethod")
        if method is None:
            self.diags.warning(OSLO_INVALID, "budgetingMethod is missing; obs budgets by Occurrences", spec.pos)
        elif method != "Occurrences":
            self.err(f"budgetingMethod {method!r} is not supported: obs budgets by Occurrences (good/total events)",
                     spec.where("budgetingMethod"), code=OSLO_UNSUPPORTED,
                     hint="Timeslices and RatioTimeslices count good time slices; obs has no such SLO")

    def _indicator(self, spec: PosDict) -> PosDict | None:
        from obs.load.openslo_sli import indicator
        if isinstance(spec.get("indicator"), PosDict):
            sli = spec["indicator"]
        elif isinstance(spec.get("indicatorRef"), str):
            sli = self.index["SLI"].get(spec["indicatorRef"])
            if sli is None:
                self.err(f"indicatorRef {spec['indicatorRef']!r} names no OpenSLO SLI", spec.where("indicatorRef"),
                         code=OSLO_REF)
                return None
        else:
            self.err("an OpenSLO SLO needs 'indicator' or 'indicatorRef'", spec.pos)
            return None
        return indicator(sli, self.index, self.diags)
