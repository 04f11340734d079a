"""OpenSLO `openslo/v1alpha`, read as Sloth reads it (its internal/storage/io/openslo.go), by
rewriting each object into the v1 shape the OpenSLO adapter already maps:

- an SLO's objectives each become one SLO named `<name>-<index>` (Sloth's SLO names, so
  dashboards and the `sloth_*` series labels keep working), with the objective's
  `ratioMetrics` (good and total, `source: prometheus` or `sloth`, `queryType: promql`) as its
  ratio metric and `target` (a ratio) as its objective;
- `timeWindows: [{count, unit}]` is a rolling window of count days (or weeks); Sloth reads
  every window as rolling, so `isRolling` left out is rolling too, while a `calendar` window
  stays the error it is in v1 (obs cannot honour one);
- Sloth generates no alerts for these SLOs (v1alpha has no alert policies): page and ticket
  are disabled, which a team enables in obs/v1 after `obs import`;
- fields Sloth ignores are a warning; names follow Sloth's rule (alphanumerics, `.`, `_`, `-`).
"""

from __future__ import annotations

import re
from typing import Any

from obs.diagnostics import Diagnostics
from obs.load import convert as cv
from obs.load.sources import SourceDoc
from obs.load.yamlpos import PosDict, PosList

V1ALPHA = "openslo/v1alpha"
_TOP = ("apiVersion", "kind", "metadata", "spec")
_META = ("name", "displayName")
_SPEC = {"SLO": ("timeWindows", "budgetingMethod", "description", "indicator", "service", "objectives"),
         "Service": ("description",)}
_OBJECTIVE = ("displayName", "value", "ratioMetrics", "target", "timeSliceTarget", "op")
_RATIO = ("good", "total", "counter", "incremental")
_SOURCE = ("source", "queryType", "query")
_WINDOW = ("unit", "count", "isRolling", "calendar")
#: Sloth's conventions.NameRegexp
_NAME = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_UNITS = {"day": 1, "week": 7}


def as_v1(doc: SourceDoc, diags: Diagnostics) -> list[SourceDoc]:
    """The document itself when it is v1; its v1 rewriting (apiVersion kept v1alpha) when v1alpha."""
    if doc.data.get("apiVersion") != V1ALPHA:
        return [doc]
    from obs.load.openslo import OSLO_INVALID
    data, kind = doc.data, doc.data.get("kind")
    if kind not in _SPEC:
        diags.error(OSLO_INVALID, f"OpenSLO v1alpha has no kind {kind!r}", data.where("kind"),
                    hint="v1alpha has SLO and Service; the other kinds came with openslo/v1")
        return []
    for node, fields, where in ((data, _TOP, "an OpenSLO v1alpha object"), (data.get("metadata"), _META, "metadata"),
                                (data.get("spec"), _SPEC[kind], f"an OpenSLO v1alpha {kind} spec")):
        cv.unknown_keys(node, fields, where, OSLO_INVALID, diags, warn=True)
    meta = data.get("metadata")
    name = meta.get("name") if isinstance(meta, PosDict) else None
    if isinstance(name, str) and not _NAME.fullmatch(name):
        diags.error(OSLO_INVALID, f"OpenSLO name {name!r} is not a valid name", meta.where("name"),
                    hint="start and end with a letter or digit; use letters, digits, '.', '_' and '-'")
        return []
    if kind == "Service" or not isinstance(data.get("spec"), PosDict):
        return [doc]
    return _slos(doc, diags)


def _slos(doc: SourceDoc, diags: Diagnostics) -> list[SourceDoc]:
    from obs.load.openslo import OSLO_INVALID, OSLO_UNSUPPORTED
    data, spec = doc.data, doc.data["spec"]
    if spec.get("indicator") is not None:
        diags.error(OSLO_UNSUPPORTED, "threshold metrics are not supported: obs SLOs count good and bad events",
                    spec.key_pos["indicator"], hint="use objectives[].ratioMetrics (good and total)")
        return []
    objectives = spec.get("objectives")
    if not isinstance(objectives, PosList) or not objectives:
        diags.error(OSLO_INVALID, "an OpenSLO v1alpha SLO needs 'objectives' with ratioMetrics",
                    spec.where("objectives"))
        return []
    window = _window(spec, diags)
    if window is False:
        return []
    out = []
    for i, objective in enumerate(objectives):
        if not isinstance(objective, PosDict):
            diags.error(OSLO_INVALID, "an objective must be a mapping", objectives.where(i))
            continue
        cv.unknown_keys(objective, _OBJECTIVE, "a v1alpha objective", OSLO_INVALID, diags, warn=True)
        ratio = _ratio(objective, diags)
        if ratio is None:
            continue
        out.append(SourceDoc(doc.file, doc.pos, _slo(data, spec, objective, i, ratio, window), doc.format, data))
    return out


def _slo(data: PosDict, spec: PosDict, objective: PosDict, i: int, ratio: PosDict, window: Any) -> PosDict:
    meta = data["metadata"]
    slo = cv.node(data)
    for key in ("apiVersion", "kind"):
        cv.put(slo, key, data[key], (data, key))
    new_meta = cv.node(meta)
    cv.put(new_meta, "name", f"{meta.get('name')}-{i}", (meta, "name"))
    cv.put(slo, "metadata", new_meta, (data, "metadata"))
    body = cv.node(spec)
    for key in ("description", "service", "budgetingMethod"):
        cv.copy_key(body, key, spec)
    if window is not None:
        cv.put(body, "timeWindow", window, (spec, "timeWindows"))
    target = cv.node(objective)
    cv.copy_key(target, "target", objective)
    objectives = PosList(spec.val_pos.get("objectives", spec.pos))
    objectives.append(target)
    objectives.item_pos.append(objective.pos)
    cv.put(body, "objectives", objectives, (spec, "objectives"))
    indicator = cv.node(objective)
    ind_meta, ind_spec = cv.node(objective), cv.node(objective)
    cv.put(ind_meta, "name", f"{meta.get('name')}-{i}", objective)
    cv.put(ind_spec, "ratioMetric", ratio, (objective, "ratioMetrics"))
    cv.put(indicator, "metadata", ind_meta, objective)
    cv.put(indicator, "spec", ind_spec, objective)
    cv.put(body, "indicator", indicator, (objective, "ratioMetrics"))
    cv.put(slo, "spec", body, (data, "spec"))
    return slo


def _window(spec: PosDict, diags: Diagnostics) -> PosList | None | bool:
    """timeWindows as a v1 timeWindow list; None: the project default; False: an error."""
    from obs.load.openslo import OSLO_INVALID, OSLO_UNSUPPORTED
    windows = spec.get("timeWindows")
    if windows is None:
        return None
    if not isinstance(windows, PosList) or len(windows) != 1 or not isinstance(windows[0], PosDict):
        diags.error(OSLO_INVALID, "timeWindows is a list of exactly one window", spec.where("timeWindows"))
        return False
    tw = windows[0]
    cv.unknown_keys(tw, _WINDOW, "a v1alpha time window", OSLO_INVALID, diags, warn=True)
    if tw.get("calendar") is not None:
        diags.error(OSLO_UNSUPPORTED, "obs SLOs have rolling windows; calendar-aligned windows are not supported",
                    tw.where("calendar"), hint="write the window as count and unit Day, without calendar")
        return False
    count, unit = tw.get("count"), str(tw.get("unit", "")).lower()
    if isinstance(count, bool) or not isinstance(count, int) or count <= 0 or unit not in _UNITS:
        diags.error(OSLO_UNSUPPORTED, f"time window {count!r} {tw.get('unit')!r} is not a fixed length obs can "
                    "roll over", tw.pos, hint="a count of Day (or Week); months and quarters vary in length")
        return False
    v1 = cv.node(tw)
    cv.put(v1, "duration", f"{count * _UNITS[unit]}d", (tw, "count"))
    cv.put(v1, "isRolling", True, tw)
    out = PosList(windows.pos)
    out.append(v1)
    out.item_pos.append(windows.where(0))
    return out


def _ratio(objective: PosDict, diags: Diagnostics) -> PosDict | None:
    """ratioMetrics as a v1 ratioMetric: good and total with Prometheus metric sources."""
    from obs.load.openslo import OSLO_INVALID, OSLO_UNSUPPORTED
    metrics = objective.get("ratioMetrics")
    if not isinstance(metrics, PosDict):
        diags.error(OSLO_INVALID, "a v1alpha objective needs 'ratioMetrics' with good and total",
                    objective.where("ratioMetrics"))
        return None
    cv.unknown_keys(metrics, _RATIO, "v1alpha ratioMetrics", OSLO_INVALID, diags, warn=True)
    out = cv.node(metrics)
    cv.put(out, "counter", metrics.get("counter") is True, metrics)
    for part in ("good", "total"):
        src = metrics.get(part)
        if not isinstance(src, PosDict):
            diags.error(OSLO_INVALID, f"ratioMetrics needs '{part}' with source, queryType and query",
                        metrics.where(part))
            return None
        cv.unknown_keys(src, _SOURCE, f"ratioMetrics.{part}", OSLO_INVALID, diags, warn=True)
        source, qtype = str(src.get("source", "")).lower(), src.get("queryType")
        if source not in ("prometheus", "sloth") or qtype != "promql":
            diags.error(OSLO_UNSUPPORTED, f"ratioMetrics.{part} must be a Prometheus query (source prometheus, "
                        f"queryType promql; got {src.get('source')!r}, {qtype!r})", src.pos)
            return None
        metric, source_node, spec = cv.node(src), cv.node(src), cv.node(src)
        cv.put(source_node, "type", "Prometheus", (src, "source"))
        cv.copy_key(spec, "query", src)
        cv.put(source_node, "spec", spec, (src, "query"))
        cv.put(metric, "metricSource", source_node, src)
        cv.put(out, part, metric, (metrics, part))
    return out
