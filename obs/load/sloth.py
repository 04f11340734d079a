"""Sloth specs (`version: prometheus/v1`, and the `sloth.slok.dev/v1` PrometheusServiceLevel
CRD) read as obs SLOs, so obs's own compiler builds their rules: exact period math, absent
alerts and behaviour tests come with them (docs/foreign.md has every decision).

A spec becomes one `kind: Service` (team from the `team` or `owner` label, else the service
name) and one standalone `kind: SLO` per SLO; an obs/v1 Service of the same name wins over the
adapted one (obs.load.foreign), and the SLOs join it.
"""

from __future__ import annotations

from typing import Any

from obs import codes
from obs.diagnostics import Diagnostics
from obs.load import convert as cv
from obs.load.sources import SourceDoc
from obs.load.yamlpos import PosDict
from obs.model.slo import MIN_OBJECTIVE, percent_hint

SLOTH_INVALID = codes.define("IM001", "import/sloth-invalid",
                             "A Sloth spec field is missing, of the wrong type or unknown.")
SLOTH_WINDOW = codes.define("IM002", "import/sloth-window",
                            "A Sloth SLI query does not use {{.window}} where the range goes.")
SLOTH_UNSUPPORTED = codes.define("IM003", "import/sloth-unsupported",
                                 "A Sloth feature obs cannot honour (SLI plugins other than sloth-common's, SLO "
                                 "plugins).")
SLOTH_PLUGIN = codes.define("IM050", "import/sloth-plugin-option",
                            "A sloth-common SLI plugin's options are missing or refused, as the plugin refuses them.")

#: Sloth's default SLO period (its --default-slo-period); a spec cannot set another
SLOTH_PERIOD = "30d"

#: prometheus/v1 key → CRD (camelCase) key
_CRD = {"error_query": "errorQuery", "total_query": "totalQuery", "error_ratio_query": "errorRatioQuery",
        "page_alert": "pageAlert", "ticket_alert": "ticketAlert", "slo_plugins": "sloPlugins"}
_TOP = ("version", "service", "labels", "slos", "slo_plugins")
_SLO = ("name", "description", "objective", "labels", "sli", "alerting", "plugins")
_SLI = ("events", "raw", "plugin")
_ALERTING = ("name", "labels", "annotations", "page_alert", "ticket_alert")
_ALERT = ("disable", "labels", "annotations")


def detect(doc: Any) -> bool:
    return isinstance(doc, dict) and (doc.get("version") == "prometheus/v1"
                                      or str(doc.get("apiVersion", "")).startswith("sloth.slok.dev/"))


def adapt(docs: list[SourceDoc], diags: Diagnostics) -> list[SourceDoc]:
    out: list[SourceDoc] = []
    for doc in docs:
        out += _Spec(doc, diags).documents()
    return out


class _Spec:
    """One Sloth document; `k(name)` spells a key the way this flavour (spec or CRD) does."""

    def __init__(self, doc: SourceDoc, diags: Diagnostics) -> None:
        self.doc, self.diags = doc, diags
        self.crd = "apiVersion" in doc.data

    def k(self, key: str) -> str:
        return _CRD.get(key, key) if self.crd else key

    def keys(self, names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(self.k(n) for n in names)

    def err(self, message: str, pos: Any, hint: str | None = None, code: str = SLOTH_INVALID) -> None:
        self.diags.error(code, message, pos, hint=hint)

    def unknown(self, mapping: Any, names: tuple[str, ...], where: str) -> set[str]:
        """Sloth decodes specs leniently (k8s.io yaml, the CRD decoder) and ignores unknown fields: a warning."""
        return cv.unknown_keys(mapping, self.keys(names), where, SLOTH_INVALID, self.diags, warn=True)

    def documents(self) -> list[SourceDoc]:
        data = self.doc.data
        body = data
        if self.crd:
            if data.get("kind") == "AlertWindows":
                from obs.load.sloth_windows import policy
                built = policy(data, self.diags)
                return [cv.source(self.doc, built)] if built is not None else []
            if data.get("kind") != "PrometheusServiceLevel":
                self.err(f"{data.get('apiVersion')} has no kind {data.get('kind')!r}", data.where("kind"),
                         hint="Sloth's kinds are PrometheusServiceLevel and AlertWindows")
                return []
            body = data.get("spec")
            if not isinstance(body, PosDict):
                self.err("a PrometheusServiceLevel needs a 'spec' mapping", data.where("spec"))
                return []
        else:
            self.unknown(data, _TOP, "a Sloth spec")
        if self.crd:
            self.unknown(body, tuple(k for k in _TOP if k != "version"), "a PrometheusServiceLevel spec")
        if body.get(self.k("slo_plugins")):
            self.diags.warning(SLOTH_UNSUPPORTED, "Sloth SLO plugins are not run: obs generates the rules itself",
                               body.key_pos.get(self.k("slo_plugins")))
        service = cv.text_field(body, "service", "a Sloth spec", SLOTH_INVALID, self.diags)
        labels = body.get("labels") or {}
        if cv.strings(labels) is None:
            self.err("labels must map label names to values", body.where("labels"))
            labels = {}
        slos = body.get("slos")
        if slos is not None and not isinstance(slos, list):
            self.err("slos must be a list", body.where("slos"))
            slos = None
        elif not slos:
            self.err("a Sloth spec needs at least one SLO in 'slos'", body.where("slos"),
                     hint="Sloth refuses a spec without SLOs (\"at least one SLO is required\")")
        if service is None:
            return []
        name = cv.slug(service)
        out = [cv.source(self.doc, self._service(body, name, labels))]
        for i, slo in enumerate(slos or []):
            if not isinstance(slo, PosDict):
                self.err("each SLO must be a mapping", slos.where(i))
                continue
            built = self._slo(slo, name)
            if built is not None:
                out.append(cv.source(self.doc, built))
        return out

    def _service(self, body: PosDict, name: str, labels: PosDict | dict) -> PosDict:
        doc, meta = cv.document("Service", body)
        cv.put(meta, "name", name, (body, "service"))
        team_key = "team" if "team" in labels else "owner" if "owner" in labels else None
        team = str(labels[team_key]) if team_key else name
        cv.put(meta, "team", team, (labels, team_key) if team_key else (body, "service"))
        doc.notes.append(f"Sloth service {body['service']!r}; team from "
                         + (f"its {team_key!r} label" if team_key else "the service name (no team or owner label)"))
        kept = cv.node((body, "labels"))
        for key, value in labels.items():
            if key != "team":
                cv.put(kept, key, value, (labels, key))
        if kept:
            cv.put(meta, "labels", kept, (body, "labels"))
        return doc

    def _slo(self, slo: PosDict, service: str) -> PosDict | None:
        self.unknown(slo, _SLO, "a Sloth SLO")
        name = cv.text_field(slo, "name", "a Sloth SLO", SLOTH_INVALID, self.diags)
        objective = self._objective(slo)
        sli = self._sli(slo)
        if name is None or objective is None or sli is None:
            return None
        doc, meta = cv.document("SLO", slo)
        cv.put(meta, "name", cv.slug(name), (slo, "name"))
        cv.put(meta, "service", service, slo)
        if cv.slug(name) != name:
            doc.notes.append(f"Sloth SLO name {name!r} made an obs name")
        spec = cv.node(slo)
        cv.put(doc, "spec", spec, slo)
        cv.copy_key(spec, "description", slo)
        cv.put(spec, "objective", objective, (slo, "objective"))
        cv.put(spec, "window", SLOTH_PERIOD, (slo, "objective"))
        spec.notes.append(f"window {SLOTH_PERIOD}: Sloth's SLO period (a Sloth spec cannot set another)")
        cv.put(spec, "sli", sli, (slo, "sli"))
        alerting = self._alerting(slo.get("alerting"), slo)
        if alerting is None:
            return None
        cv.put(spec, "alerting", alerting, (slo, "alerting") if "alerting" in slo else slo)
        if self._strings(slo, "labels"):
            cv.copy_key(spec, "labels", slo)
        return doc

    def _strings(self, holder: PosDict, key: str) -> bool:
        """Whether holder[key] is a non-empty mapping of names to values; one line if it is something else."""
        value = holder.get(key)
        if value is not None and cv.strings(value) is None:
            self.err(f"{key} must map names to values", holder.where(key))
            return False
        for name, v in (value or {}).items():
            if v is None or v == "":
                self.err(f"{key}.{name} is empty", value.where(name),
                         hint=f"Sloth refuses empty {key} values; give it a value or remove it")
                return False
        return bool(value)

    def _objective(self, slo: PosDict) -> float | None:
        value = slo.get("objective")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.err(f"a Sloth SLO needs 'objective', a percentage such as 99.9 (got {value!r})",
                     slo.where("objective"))
            return None
        if not 0 < value < 100:
            self.err(f"objective is a percentage between 0 and 100, exclusive (got {value})", slo.where("objective"),
                     hint="99.9 means 99.9%; an objective of 100 leaves no error budget to alert on")
            return None
        if value < MIN_OBJECTIVE:
            self.err(f"objective {value:g} means {value:g}% of events good; objectives below {MIN_OBJECTIVE} are "
                     "refused as mistakes", slo.where("objective"), hint=percent_hint(value))
            return None
        return value

    def _sli(self, slo: PosDict) -> PosDict | None:
        sli = slo.get("sli")
        if not isinstance(sli, PosDict):
            self.err("a Sloth SLO needs 'sli' with 'events' or 'raw'", slo.where("sli"))
            return None
        self.unknown(sli, _SLI, "a Sloth SLI")
        given = [k for k in _SLI if sli.get(k) is not None]
        if len(given) != 1:
            self.err("a Sloth SLI has exactly one of 'events', 'raw' or 'plugin'"
                     + (f" (got {', '.join(given)})" if given else ""), sli.pos)
            return None
        if given[0] == "plugin":
            from obs.load.sloth_plugins import sli_of
            return sli_of(self, sli, slo)
        body = sli[given[0]]
        if not isinstance(body, PosDict):
            self.err(f"sli.{given[0]} must be a mapping", sli.where(given[0]))
            return None
        return self._events(sli, body) if given[0] == "events" else self._raw(sli, body)

    def _query(self, body: PosDict, key: str) -> str | None:
        q = cv.text_field(body, self.k(key), "a Sloth SLI", SLOTH_INVALID, self.diags)
        if q is not None and not cv.WINDOW.search(q):
            self.err(f"{self.k(key)} does not use {{{{.window}}}}", body.where(self.k(key)), code=SLOTH_WINDOW,
                     hint="Sloth evaluates the query per window: write the range as [{{.window}}], e.g. "
                          "rate(http_requests_total[{{.window}}])")
            return None
        return q

    def _events(self, sli: PosDict, body: PosDict) -> PosDict | None:
        self.unknown(body, ("error_query", "total_query"), "sli.events")
        errors, total = self._query(body, "error_query"), self._query(body, "total_query")
        if errors is None or total is None:
            return None
        if errors.strip() == total.strip():
            self.err("error_query and total_query are the same query", body.where(self.k("total_query")),
                     hint="Sloth refuses this (\"both error and total queries can't be the same\")")
            return None
        out = cv.node(sli)
        e, t = cv.aggregated_rate(errors, cv.WINDOW), cv.aggregated_rate(total, cv.WINDOW)
        if e and t and e[0] == t[0] and set(e[2]) == set(t[2]):
            ratio = cv.node(body)
            cv.put(ratio, "errors", e[1], (body, self.k("error_query")))
            cv.put(ratio, "total", t[1], (body, self.k("total_query")))
            if e[2]:
                cv.put(ratio, "groupBy", list(e[2]), (body, self.k("error_query")))
            ratio.notes.append("Sloth events with sum(rate(SELECTOR[{{.window}}])) queries: a ratio SLI "
                               "(obs writes the aggregation and derives long windows exactly)")
            cv.put(out, "ratio", ratio, (sli, "events"))
            return out
        raw = cv.node(body)
        expr = f"({_windowed(errors.strip())})\n/\n({_windowed(total.strip())})"
        cv.put(raw, "errorRatio", expr, (body, self.k("error_query")))
        raw.notes.append("Sloth events kept as a raw SLI: (error_query) / (total_query), {{.window}} as $window")
        cv.put(out, "raw", raw, (sli, "events"))
        return out

    def _raw(self, sli: PosDict, body: PosDict) -> PosDict | None:
        self.unknown(body, ("error_ratio_query",), "sli.raw")
        q = self._query(body, "error_ratio_query")
        if q is None:
            return None
        out, raw = cv.node(sli), cv.node(body)
        cv.put(raw, "errorRatio", _windowed(q.strip()), (body, self.k("error_ratio_query")))
        cv.put(out, "raw", raw, (sli, "raw"))
        return out

    def _alerting(self, alerting: Any, slo: PosDict) -> PosDict | None:
        if alerting is None:
            alerting = PosDict(slo.pos)
        if not isinstance(alerting, PosDict):
            self.err("alerting must be a mapping", slo.where("alerting"))
            return None
        self.unknown(alerting, _ALERTING, "Sloth alerting")
        tiers = [(self.k(k), alerting.get(self.k(k))) for k in ("page_alert", "ticket_alert")]
        enabled = [k for k, v in tiers if not (isinstance(v, dict) and v.get("disable") is True)]
        if enabled and not (isinstance(alerting.get("name"), str) and alerting["name"].strip()):
            self.err(f"Sloth needs alerting.name while {' and '.join(enabled)} "
                     f"{'are' if len(enabled) > 1 else 'is'} enabled",
                     alerting.where("name") if "name" in alerting else slo.where("alerting") if "alerting" in slo
                     else slo.pos, hint="name the alert (e.g. name: MyServiceHighErrorRate) or set disable: true "
                                        "on the alert (Sloth: \"alert name is required\")")
            return None
        out = cv.node(alerting)
        cv.copy_key(out, "name", alerting)
        for key in ("labels", "annotations"):
            if self._strings(alerting, key):
                cv.copy_key(out, key, alerting)
        for tier, key, severity in (("page", "page_alert", "critical"), ("ticket", "ticket_alert", "warning")):
            alert = alerting.get(self.k(key))
            if alert is None:
                continue
            if not isinstance(alert, PosDict):
                self.err(f"{self.k(key)} must be a mapping", alerting.where(self.k(key)))
                continue
            self.unknown(alert, _ALERT, self.k(key))
            body = cv.node(alert)
            if alert.get("disable") is True:
                cv.put(body, "enabled", False, (alert, "disable"))
            for part in ("labels", "annotations"):
                if self._strings(alert, part):
                    cv.copy_key(body, part, alert)
            if "severity" not in (cv.strings(alert.get("labels")) or {}):
                body.notes.append(f"Sloth's {key} is obs's {tier} tier: severity {severity}")
            cv.put(out, tier, body, (alerting, self.k(key)))
        return out


def _windowed(query: str) -> str:
    return cv.WINDOW.sub("$window", query)
