"""Every PromQL expression of a build, tied to the definition a person edits: alerts (packs
included, at their `uses:` entry), native rules, the SLI fields of SLOs (as the `rate()` obs
writes over them), the compiled SLO rules (evaluated only) and the dashboards' queries.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from obs.dashboards.walk import fill_variables, queries
from obs.diagnostics import Position
from obs.live.promql import Analysis, Sel, analyse
from obs.rulegen import owners
from obs.rulegen import slo as slorules

if TYPE_CHECKING:
    from obs.catalog import SLOEntry
    from obs.pipeline import Build

#: matcher values Grafana fills in: not what the query will send, so not checked
VARIABLE = re.compile(r"\$|\[\[|grafana_variable")


@dataclass(frozen=True)
class Site:
    """Where an expression is defined: findings are reported here."""

    what: str  # "alert CheckoutDown", "SLO checkout/availability total", "dashboard checkout/red panel 'Rate'"
    pos: Position | None
    kind: str = "rule"  # rule | slo | dashboard
    expected_in: tuple[str, ...] = ()  # environments its series are expected in; () for every one
    part: str = ""  # a dashboard's panel: findings about one dashboard are merged across its panels

    @property
    def name(self) -> str:
        """What a finding names: the definition, and the panel of a dashboard."""
        return f"{self.what} panel {self.part}" if self.part else self.what


@dataclass
class Expression:
    text: str
    site: Site
    analysis: Analysis
    evaluate: bool = False  # a rule Prometheus will evaluate: run it as an instant query
    #: where findings about its `by (...)` labels go (an SLO's groupBy), if not the site
    group_pos: Position | None = None
    #: for an SLO's errors selector: its total, to tell "no errors yet" from a wrong selector
    baseline: Sel | None = None
    #: why the windows are what they are, for the scrape-interval hint
    window_note: str = ""
    #: False where another expression of the definition reports the same window (an SLO's errors)
    window_check: bool = True


@dataclass
class Latency:
    """A latency SLI: its threshold must be an `le` bound of its histogram."""

    site: Site
    histogram: Sel
    threshold: str
    le: object  # the rulegen Matcher obs writes for the threshold


@dataclass
class Definitions:
    expressions: list[Expression] = field(default_factory=list)
    latencies: list[Latency] = field(default_factory=list)
    #: names recorded by the build's own rules (slo:* and the team's): absent until applied
    recorded: set[str] = field(default_factory=set)


def collect(build: Build) -> Definitions:
    cached = build.__dict__.get("_obs_live_definitions")
    if cached is not None:
        return cached
    out = Definitions()
    catalog = build.catalog
    for groups in owners(catalog).values():
        out.recorded |= {r.record for g in groups for r in g.rules if r.record}
    for a in catalog.alerts:
        what = f"alert {a.spec.name}" + (f" (pack {a.pack})" if a.pack else "")
        _add(out, a.spec.expr.strip(), Site(what, a.spec.pos_of("expr") or a.origin.pos, "rule",
                                              tuple(a.spec.expectedIn)), evaluate=True)
    for g in catalog.rule_groups:
        for r in g.rules:
            _add(out, r.expr.strip(), Site(f"rule {r.name} of group {g.name}", r.pos_of("expr") or g.origin.pos),
                 evaluate=True)
    for entry in catalog.slos:
        _slo(out, build, entry)
    _dashboards(out, build)
    build.__dict__["_obs_live_definitions"] = out
    return out


def _add(out: Definitions, text: str, site: Site, evaluate: bool = False, drop: re.Pattern | None = None,
         **extra) -> Expression | None:
    try:
        analysis = analyse(text, drop)
    except ValueError:
        return None  # not PromQL: `obs lint` reports it (PQ001)
    out.expressions.append(Expression(text, site, analysis, evaluate, **extra))
    return out.expressions[-1]


def _slo(out: Definitions, build: Build, entry: SLOEntry) -> None:
    try:
        plan = slorules.plan_for(build.catalog, entry)
    except ValueError:
        return
    sli, name = entry.spec.sli, f"SLO {entry.service}/{entry.name}"
    body = sli.ratio or sli.latency or sli.raw
    expected = tuple(entry.spec.expectedIn)
    base = plan.name(plan.base)
    by = f" by ({', '.join(sli.group_by)})" if sli.group_by else ""
    note = (f"obs's base window {base} for this SLO (set defaults.slo.baseWindow, or a longer SLO window, "
            "to change it)")
    group_pos = body.pos_of("groupBy") if sli.group_by else None
    if sli.kind == "raw":
        text = sli.raw.errorRatio.replace("$window", base).replace("{{.window}}", base)
        _add(out, text, Site(f"{name} errorRatio", body.pos_of("errorRatio"), "slo", expected),
             group_pos=group_pos, window_note=note)
    else:
        total = sli.ratio.total if sli.ratio else None
        baseline = _sel(total) if total else None
        for fname in ("errors", "good", "total", "histogram"):
            value = getattr(body, fname, None)
            if value:  # the rate obs writes; only the total (or histogram) carries the groupBy check
                grouped = fname in ("total", "histogram")
                _add(out, f"sum{by if grouped else ''} (rate({value.strip()}[{base}]))",
                     Site(f"{name} {fname}", body.pos_of(fname), "slo", expected),
                     baseline=baseline if fname == "errors" else None, group_pos=group_pos if grouped else None,
                     window_note=note, window_check=grouped)
        if sli.kind == "latency":
            hist = _sel(sli.latency.histogram)
            if hist is not None:
                le = slorules.le_matcher(hist.metric or "", sli.latency.threshold)
                out.latencies.append(Latency(Site(f"{name} threshold", body.pos_of("threshold"), "slo", expected),
                                             hist, str(sli.latency.threshold), le))
    group = slorules.slo_group(build.catalog, entry)
    for rule in group.rules if group else ():
        added = _add(out, rule.expr, Site(f"{name}: its rule {rule.name}", entry.origin.pos, "slo", expected),
                     evaluate=True)
        if added is not None:  # obs's own rules: evaluated; their selectors are checked as the fields above
            added.analysis.uses.clear()
            added.analysis.groupings.clear()


def _sel(text: str) -> Sel | None:
    try:
        uses = analyse(text).uses
    except ValueError:
        return None
    return uses[0].sel if len(uses) == 1 else None


def _dashboards(out: Definitions, build: Build) -> None:
    for a in build.artifacts:
        if a.target != "grafana" or not a.path.startswith("grafana/") or not a.path.endswith(".json"):
            continue
        data = json.loads(a.content)
        pos = a.sources[0].pos if a.sources else None
        for panel, target in queries(data):
            ds = target.get("datasource") or panel.get("datasource")
            if isinstance(ds, dict) and ds.get("type") not in (None, "prometheus"):
                continue
            text, _ = fill_variables(target["expr"])
            title = panel.get("title") or f"panel {panel.get('id', '?')}"
            _add(out, text, Site(f"dashboard {a.path[len('grafana/'):-len('.json')]}", pos, "dashboard",
                                 part=repr(title)), drop=VARIABLE)

