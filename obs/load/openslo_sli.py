"""An OpenSLO SLI (inline or a `kind: SLI` document) as an obs SLI.

The shapes recognised (docs/foreign.md): every query a selector (with `counter: true`) or
`sum [by (…)] (rate|increase(SELECTOR[range]))` with the same grouping → a `ratio` SLI (obs
writes the windows; a fixed range such as [1m] is replaced by obs's windows); queries that
place `$window` themselves → a `raw` SLI; gauges (`counter: false`) that are selectors → raw
over `sum_over_time`. Anything else cannot carry obs's windows and is an error.
"""

from __future__ import annotations

import re
from typing import Any

from obs.diagnostics import Diagnostics
from obs.load import convert as cv
from obs.load.yamlpos import PosDict

_OWN_WINDOW = re.compile(r"\$window|\{\{\s*\.window\s*\}\}")


def indicator(sli: PosDict, index: dict, diags: Diagnostics) -> PosDict | None:
    from obs.load.openslo import OSLO_INVALID, OSLO_UNSUPPORTED
    spec = sli.get("spec")
    if not isinstance(spec, PosDict):
        diags.error(OSLO_INVALID, "an OpenSLO SLI needs a 'spec' with 'ratioMetric'", sli.where("spec"))
        return None
    if spec.get("thresholdMetric") is not None:
        diags.error(OSLO_UNSUPPORTED, "threshold metrics are not supported: obs SLOs count good and bad events",
                    spec.key_pos["thresholdMetric"], hint="use a ratioMetric (good or bad, and total)")
        return None
    ratio = spec.get("ratioMetric")
    if not isinstance(ratio, PosDict):
        diags.error(OSLO_INVALID, "an OpenSLO SLI needs 'ratioMetric'", spec.pos)
        return None
    return _Ratio(ratio, index, diags).build()


class _Ratio:
    def __init__(self, ratio: PosDict, index: dict, diags: Diagnostics) -> None:
        self.ratio, self.index, self.diags = ratio, index, diags

    def err(self, message: str, pos: Any, hint: str | None = None, unsupported: bool = False) -> None:
        from obs.load.openslo import OSLO_INVALID, OSLO_UNSUPPORTED
        self.diags.error(OSLO_UNSUPPORTED if unsupported else OSLO_INVALID, message, pos, hint=hint)

    def build(self) -> PosDict | None:
        r = self.ratio
        if r.get("raw") is not None:
            return self._raw()
        parts = [k for k in ("good", "bad") if r.get(k) is not None]
        if len(parts) != 1 or r.get("total") is None:
            self.err("a ratioMetric has 'total' and exactly one of 'good' and 'bad' (or 'raw' with 'rawType')", r.pos)
            return None
        num, total = self._query(r, parts[0]), self._query(r, "total")
        if num is None or total is None:
            return None
        out = cv.node(r)
        counter = r.get("counter") is True
        a, b = self._reduce(num, counter), self._reduce(total, counter)
        if a and b and set(a[1]) == set(b[1]):
            body = cv.node(r)
            cv.put(body, "errors" if parts[0] == "bad" else "good", a[0], (r, parts[0]))
            cv.put(body, "total", b[0], (r, "total"))
            if a[1]:
                cv.put(body, "groupBy", list(a[1]), (r, parts[0]))
            cv.put(out, "ratio", body, r)
            return out
        if _OWN_WINDOW.search(num) and _OWN_WINDOW.search(total):
            expr = f"({_w(num)})\n/\n({_w(total)})"
        elif r.get("counter") is False and cv.selector(num) and cv.selector(total):
            expr = f"sum(sum_over_time({num}[$window]))\n/\nsum(sum_over_time({total}[$window]))"
        else:
            self.err("obs cannot place its windows in these queries", r.where(parts[0]), unsupported=True,
                     hint="write selectors (with counter: true), sum(rate(SELECTOR[1m])), or put $window where "
                          "the range goes")
            return None
        body = cv.node(r)
        cv.put(body, "errorRatio", expr if parts[0] == "bad" else f"1 - (\n{expr}\n)", (r, parts[0]))
        cv.put(out, "raw", body, r)
        return out

    def _reduce(self, query: str, counter: bool) -> tuple[str, tuple[str, ...]] | None:
        """(selector, by-labels) when the query is a counter selector or sum(rate(SELECTOR[…]))."""
        if counter and cv.selector(query):
            return cv.selector(query), ()
        shape = cv.aggregated_rate(query)
        return (shape[1], shape[2]) if shape else None

    def _raw(self) -> PosDict | None:
        r = self.ratio
        kind = r.get("rawType")
        if kind not in ("success", "failure"):
            self.err(f"rawType must be success or failure (got {kind!r})", r.where("rawType"))
            return None
        q = self._query(r, "raw")
        if q is None:
            return None
        if _OWN_WINDOW.search(q):
            expr = _w(q)
        elif cv.selector(q):
            expr = f"avg(avg_over_time({q}[$window]))"
        else:
            expr = f"avg_over_time(({q})[$window:])"
        out, body = cv.node(r), cv.node(r)
        cv.put(body, "errorRatio", expr if kind == "failure" else f"1 - (\n{expr}\n)", (r, "raw"))
        cv.put(out, "raw", body, r)
        return out

    def _query(self, holder: PosDict, key: str) -> str | None:
        from obs.load.openslo import OSLO_REF
        part = holder.get(key)
        source = part.get("metricSource") if isinstance(part, dict) else None
        if not isinstance(source, PosDict):
            self.err(f"{key} needs 'metricSource' with a Prometheus query", holder.where(key))
            return None
        kind = source.get("type")
        ref = source.get("metricSourceRef")
        if kind is None and isinstance(ref, str):
            ds = self.index["DataSource"].get(ref)
            if ds is None:
                self.diags.error(OSLO_REF, f"metricSourceRef {ref!r} names no OpenSLO DataSource",
                                 source.where("metricSourceRef"))
                return None
            kind = ds.get("spec", {}).get("type") if isinstance(ds.get("spec"), dict) else None
        if str(kind).lower() != "prometheus":
            self.err(f"obs reads Prometheus metric sources only (got {kind!r})",
                     source.where("type") if "type" in source else source.pos, unsupported=True)
            return None
        spec = source.get("spec")
        query = spec.get("query") if isinstance(spec, dict) else None
        if not isinstance(query, str) or not query.strip():
            self.err(f"{key}.metricSource needs spec.query, a PromQL query", source.where("spec"))
            return None
        return query.strip()


def _w(query: str) -> str:
    return cv.WINDOW.sub("$window", query)
