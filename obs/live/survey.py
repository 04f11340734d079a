"""What one Prometheus holds for the selectors of a build, asked as few times as possible and
shared by every Prometheus check of the run.

Selectors are deduplicated (one canonical spelling each) and sent many `match[]` to a
`/api/v1/series` request, grouped by metric so overlapping selectors share a response; the
union that comes back is attributed to each selector here, with Prometheus's matching rules.
A selector Python cannot match as Prometheus does (RE2-only syntax) is sent in a request of
its own. For selectors without series, the series of their metric are read the same way (one
batch of `{__name__="m"}`), which says which matcher excluded everything and what exists.
"""

from __future__ import annotations

import fnmatch
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from obs.durations import seconds
from obs.live.definitions import Definitions, Site, collect
from obs.live.prometheus import Prometheus
from obs.live.promql import Matcher, Sel

if TYPE_CHECKING:
    from obs.live.clients import Clients
    from obs.pipeline import Build

#: how far back a series counts as present (Prometheus keeps a series 5m past its last sample)
LOOKBACK = 3600.0
#: selectors per /api/v1/series request
SERIES_BATCH = 50
#: metrics only Prometheus's rule manager writes: present only while an alert is pending or firing
RULE_MANAGER = frozenset({"ALERTS", "ALERTS_FOR_STATE"})

Labels = dict[str, str]
_COUNTED = {"histogram": "counter", "summary": "counter", "gaugehistogram": "gauge"}
#: series suffixes of a metric family and what each series is, by the family's type
SUFFIXES = (("_bucket", _COUNTED), ("_count", _COUNTED), ("_sum", _COUNTED), ("_total", {"counter": "counter"}),
            ("_created", {"counter": "gauge", "histogram": "gauge", "summary": "gauge"}))


@dataclass
class Survey:
    prom: Prometheus
    defs: Definitions
    env: str
    optional: tuple[str, ...] = ()  # metric globs the environment need not have
    now: float = field(default_factory=time.time)
    _series: dict[str, list[Labels]] | None = None
    _by_metric: dict[str, list[Labels]] = field(default_factory=dict)
    _names: list[str] | None = None
    _metadata: dict[str, list[dict]] | None = None
    _intervals: dict[str, float] | None = None

    @property
    def start(self) -> float:
        return self.now - LOOKBACK

    # -- what definitions ask ----------------------------------------------------------------
    def selectors(self) -> dict[str, Sel]:
        found: dict[str, Sel] = {}
        for e in self.defs.expressions:
            for u in e.analysis.uses:
                found.setdefault(u.sel.text, u.sel)
            if e.baseline is not None:
                found.setdefault(e.baseline.text, e.baseline)
        for lat in self.defs.latencies:
            found.setdefault(lat.histogram.text, lat.histogram)
        return found

    def pending(self, sel: Sel) -> bool:
        """Recorded by this build's own rules (or by the rule manager): not there before apply."""
        return sel.metric is not None and (sel.metric in self.defs.recorded or sel.metric in RULE_MANAGER)

    def optional_here(self, sel: Sel, site: Site) -> bool:
        """Whether missing series are expected in this environment (docs/validate.md)."""
        if site.expected_in and self.env not in site.expected_in:
            return True
        return sel.metric is not None and any(fnmatch.fnmatchcase(sel.metric, g) for g in self.optional)

    # -- what Prometheus has -----------------------------------------------------------------
    def series(self) -> dict[str, list[Labels]]:
        """Selector text → the series it matches now (within LOOKBACK)."""
        if self._series is None:
            sels = self.selectors()
            self._series = {text: [] for text in sels}
            got = self._fetch(list(sels.values()))
            self._series.update(got)
        return self._series

    def of(self, sel: Sel) -> list[Labels]:
        return self.series().get(sel.text, [])

    def metric_series(self, metrics: Iterable[str]) -> dict[str, list[Labels]]:
        """Every series of each metric (for selectors without series: what exists instead)."""
        wanted = sorted(set(metrics) - self._by_metric.keys())
        if wanted:
            sels = [Sel(m, ()) for m in wanted]
            got = self._fetch(sels)
            for m, s in zip(wanted, sels, strict=True):
                self._by_metric[m] = got.get(s.text, [])
        return {m: self._by_metric.get(m, []) for m in metrics}

    def names(self) -> list[str]:
        """Every metric name, for did-you-mean when a metric has no series at all."""
        if self._names is None:
            self._names = self.prom.label_values("__name__", start=self.start, end=self.now)
        return self._names

    def metadata(self) -> dict[str, list[dict]]:
        if self._metadata is None:
            self._metadata = self.prom.metadata()
        return self._metadata

    def metric_type(self, metric: str | None) -> str | None:
        """counter, gauge or None (unknown), from the metadata of the metric's family."""
        if metric is None:
            return None
        meta = self.metadata()
        if metric in meta:
            return _kind(meta[metric], {"counter": "counter", "gauge": "gauge", "summary": "gauge", "info": "gauge",
                                        "stateset": "gauge"})
        for suffix, kinds in SUFFIXES:
            if metric.endswith(suffix) and metric[:-len(suffix)] in meta:
                return _kind(meta[metric[:-len(suffix)]], kinds)
        return None

    def intervals(self) -> dict[str, float]:
        """job → its longest scrape interval in seconds, from the active targets."""
        if self._intervals is None:
            self._intervals = {}
            for t in self.prom.targets():
                job = (t.get("labels") or {}).get("job") or t.get("scrapePool")
                try:
                    every = seconds(str(t.get("scrapeInterval") or (t.get("discoveredLabels") or {}).get(
                        "__scrape_interval__") or ""))
                except ValueError:
                    continue
                if job:
                    self._intervals[job] = max(every, self._intervals.get(job, 0.0))
        return self._intervals

    def _fetch(self, sels: list[Sel]) -> dict[str, list[Labels]]:
        local = sorted((s for s in sels if s.local()), key=lambda s: (s.metric or "", s.text))
        batches = [local[i:i + SERIES_BATCH] for i in range(0, len(local), SERIES_BATCH)]
        batches += [[s] for s in sels if not s.local()]
        out: dict[str, list[Labels]] = {}
        for batch, found in zip(batches, _parallel(self.prom, self._ask, batches), strict=True):
            if len(batch) == 1:
                out[batch[0].text] = found
                continue
            index = _Index(found)
            for s in batch:
                out[s.text] = [labels for labels in index.candidates(s) if s.matches(labels)]
        return out

    def _ask(self, batch: list[Sel]) -> list[Labels]:
        return self.prom.series([s.text for s in batch], self.start, self.now)

    # -- why a selector has none -------------------------------------------------------------
    def absence(self, sel: Sel, first: Sel | None = None) -> Absence:
        """Why `sel` has no series: its matchers are applied one by one to the series of its
        metric (those of `first`, e.g. an SLO's total, before the rest), and the first to leave
        nothing is the culprit, with the values the series left before it do have."""
        if sel.metric is None:
            return Absence("metric", None, [])
        if not self._by_metric:  # the metrics of every selector without series, in one batch
            self.metric_series({s.metric for text, s in self.selectors().items()
                                if s.metric and not self.series()[text] and not self.pending(s)} | {sel.metric})
        series = self.metric_series([sel.metric])[sel.metric]
        if not series:
            return Absence("metric", None, [], close_match(sel.metric, self.names()))
        ahead = set(first.matchers) if first is not None else set()
        for m in sorted(sel.matchers, key=lambda m: m not in ahead):
            try:
                kept = [s for s in series if m.matches(s.get(m.name, ""))]
            except re.error:
                continue  # RE2 syntax Python lacks: this matcher cannot be judged here
            if kept:
                series = kept
                continue
            present = sorted({v for s in series if (v := s.get(m.name, ""))})
            if not present and m.op in ("=", "=~"):
                labels = sorted({k for s in series for k in s if k != "__name__"})
                return Absence("label-missing", m, labels, close_match(m.name, labels))
            return Absence("label-value", m, present, close_match(m.value, present) if m.op == "=" else None)
        return Absence("combination", None, [])


class _Index:
    """The series of one response by metric, and by the value of a label when a selector pins
    one: attributing a batch costs what its selectors match, not selectors × series."""

    def __init__(self, series: list[Labels]) -> None:
        self.by_metric: dict[str | None, list[Labels]] = {}
        for labels in series:
            self.by_metric.setdefault(labels.get("__name__"), []).append(labels)
        self._by_value: dict[tuple[str | None, str], dict[str, list[Labels]]] = {}

    def candidates(self, sel: Sel) -> list[Labels]:
        pool = self.by_metric.get(sel.metric, []) if sel.metric else [x for v in self.by_metric.values() for x in v]
        pinned = next((m for m in sel.matchers if m.op == "=" and m.value), None)
        if pinned is None or sel.metric is None:
            return pool
        key = (sel.metric, pinned.name)
        if key not in self._by_value:
            groups: dict[str, list[Labels]] = {}
            for labels in pool:
                groups.setdefault(labels.get(pinned.name, ""), []).append(labels)
            self._by_value[key] = groups
        return self._by_value[key].get(pinned.value, [])


@dataclass(frozen=True)
class Absence:
    """Why a selector matches nothing: its metric has no series, a label it names is on none of
    them, no series has the value it asks for, or no series has all the values at once."""

    kind: str  # metric | label-missing | label-value | combination
    matcher: Matcher | None
    found: list[str]  # the values (or label names) that do exist
    suggestion: str | None = None


def _kind(entries: list[dict], kinds: dict[str, str]) -> str | None:
    """The one type the metadata gives (targets may disagree: then it is unknown)."""
    types = {kinds.get(str(e.get("type"))) for e in entries}
    return types.pop() if len(types) == 1 else None


def close_match(word: str, candidates: list[str]) -> str | None:
    import difflib
    lower = {c.lower(): c for c in candidates}
    if word.lower() in lower and lower[word.lower()] != word:
        return lower[word.lower()]
    hits = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
    return hits[0] if hits else None


def _parallel(prom: Prometheus, fn: Callable[[Any], Any], items: list) -> list:
    """`fn` over items, a few at a time (the Session's gate bounds the requests in flight)."""
    if len(items) <= 1:
        return [fn(i) for i in items]
    with ThreadPoolExecutor(max_workers=min(len(items), prom.session.policy.concurrency)) as pool:
        return list(pool.map(fn, items))


def survey(build: Build, clients: Clients) -> Survey:
    """The run's one Survey of the environment's Prometheus (made on first use)."""
    prom: Prometheus = clients.client("prometheus", Prometheus)
    found = prom.memo.get("survey")
    if found is None or found.defs is not collect(build):
        env = build.project.spec.environments.get(clients.env.name)
        optional = tuple(env.prometheus.optionalMetrics) if env is not None and env.prometheus else ()
        found = Survey(prom, collect(build), clients.env.name, optional)
        prom.memo["survey"] = found
    return found
