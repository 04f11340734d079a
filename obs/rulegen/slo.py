"""SLO → rules (SPEC §2.2): base-window event rates, error ratios for every window the policy
needs, budget metadata and the burn-rate alerts. A service's SLOs of one evaluation interval
share one group, named `slo-<interval>` in every service's file: each rule reads only its own
SLO's series, recorded earlier in that group, and pint (which knows a group by its name alone
and a series by its name alone) then sees no cross-group dependency (docs/slo.md).

The raw series are read once, by `rate()` over the base window; every longer window is
a sum of those two recordings (directly, or of their tiles and the open tile: obs.rulegen.tiles),
a ratio of counts (never an average of ratios), so
uneven traffic cannot bias it and its cost does not grow with the raw series count. Zero
traffic is 0 / 0: the denominator is clamped, which makes it "no burn" and never a NaN that
lingers in the 30d ratio. Recordings and alerts share one group, so one evaluation sees them
in order. Invalid SLOs give no group: obs/checks/slo.py says why.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from obs import slo as policy
from obs.catalog import Catalog, SLOEntry
from obs.dashboards import dashboard_url
from obs.durations import seconds, threshold_seconds
from obs.rulegen import Group, Rule
from obs.rulegen import selector as sel
from obs.rulegen import tiles

ERROR_EVENTS = "slo:sli_error_events:rate{w}"
TOTAL_EVENTS = "slo:sli_total_events:rate{w}"
ERROR_RATIO = "slo:sli_error:ratio_rate{w}"
#: a tile: the sum of base-window rates over one tile (1h at 30d), for the long windows
ERROR_TILE, TOTAL_TILE = tiles.ERROR_TILE, tiles.TOTAL_TILE
ABSENT_ALERT = "SLOMetricAbsent"
#: a denominator floor far below any real rate: 0 events over a window give ratio 0, not NaN
NO_TRAFFIC_FLOOR = "1e-9"
_TIER_WORDS = {"page": "fast", "ticket": "steadily"}


def service_groups(catalog: Catalog, service: str) -> list[Group]:
    """One group per evaluation interval (shortest first), each SLO's rules in source order."""
    merged: dict[str, list[Group]] = {}
    for entry in catalog.for_service(service).slos:
        group = slo_group(catalog, entry)
        if group is not None:
            merged.setdefault(group.name, []).append(group)
    out = []
    for parts in sorted(merged.values(), key=lambda ps: seconds(ps[0].interval or "0s")):
        first = parts[0]
        out.append(Group(first.name, tuple(r for g in parts for r in g.rules), first.interval, first.origin,
                         per_owner=True))
    return out


def plan_for(catalog: Catalog, entry: SLOEntry) -> policy.Plan:
    """The SLO's plan from obs.yaml's `defaults.slo`, the scrape interval and its enabled tiers
    (ValueError if unusable)."""
    d = catalog.defaults.slo
    tiers = [t for t in ("page", "ticket") if getattr(entry.spec.alerting, t).enabled]
    return policy.plan(entry.window, d.policy, d.interval, d.baseWindow, tiers,
                       catalog.defaults.prometheus.scrapeInterval,
                       exact=catalog.policies.get(seconds(entry.window)))


def budget_of(entry: SLOEntry) -> Decimal:
    """1 - objective as an exact decimal: 99.9 → 0.001 (floats would write 0.0010000000000000009)."""
    return (Decimal(100) - Decimal(str(entry.objective))) / Decimal(100)


def slo_group(catalog: Catalog, entry: SLOEntry) -> Group | None:
    try:
        plan = plan_for(catalog, entry)
        if policy.problems(plan):
            return None
        rules = _recordings(entry, plan) + _alerts(catalog, entry, plan)
        if catalog.defaults.slo.slothLabels:  # migration aid for Sloth dashboards (obs.rulegen.sloth_compat)
            from obs.rulegen.sloth_compat import apply
            rules = apply(entry, plan, rules)
    except ValueError:
        return None
    return Group(group_name(plan.interval), tuple(rules), policy.fmt(plan.interval), entry.origin, per_owner=True)


def group_name(interval: float) -> str:
    """The same in every service's file (see the module docstring): `slo-1m`, `slo-3m`."""
    return f"slo-{policy.fmt(interval)}"


def labels_of(entry: SLOEntry) -> dict[str, str]:
    """service and slo, then the SLO's own labels; groupBy labels come from the aggregation."""
    drop = set(entry.spec.sli.group_by) | {"service", "slo", "severity"}
    return {"service": entry.service, "slo": entry.name,
            **{k: v for k, v in sorted(entry.labels.items()) if k not in drop}}


def recorded(entry: SLOEntry, record: str) -> str:
    """A selector for one of this SLO's recordings."""
    return f'{record}{{service="{entry.service}", slo="{entry.name}"}}'


def _recordings(entry: SLOEntry, plan: policy.Plan) -> list[Rule]:
    labels, base = labels_of(entry), plan.name(plan.base)
    rules = []
    if entry.spec.sli.kind == "raw":
        text = entry.spec.sli.raw.errorRatio.strip()
        for w in plan.windows:
            expr = text.replace("$window", plan.name(w)).replace("{{.window}}", plan.name(w))
            rules.append(_record(entry, ERROR_RATIO.format(w=plan.name(w)), expr, labels))
    else:
        errors, total = event_rates(entry, base)
        e_rec, t_rec = ERROR_EVENTS.format(w=base), TOTAL_EVENTS.format(w=base)
        rules += [_record(entry, e_rec, errors, labels), _record(entry, t_rec, total, labels)]
        e_sel, t_sel = recorded(entry, e_rec), recorded(entry, t_rec)
        rules += tiles.rules(entry, plan, labels, e_sel, t_sel)
        for w in plan.windows:
            name = plan.name(w)
            whole = (f"sum_over_time({e_sel}[{name}]) / "
                     f"clamp_min(sum_over_time({t_sel}[{name}]), {NO_TRAFFIC_FLOOR})")
            if w == plan.base:
                expr = f"{e_sel} / clamp_min({t_sel}, {NO_TRAFFIC_FLOOR})"
            elif plan.tiled(w) and w == plan.period:
                errors_sum, total_sum = tiles.period_sums(entry, plan, e_sel, t_sel)
                expr = f"{errors_sum} / clamp_min({total_sum}, {NO_TRAFFIC_FLOOR})"
            elif plan.tiled(w):
                e_tile = recorded(entry, ERROR_TILE.format(w=policy.fmt(plan.tile)))
                t_tile = recorded(entry, TOTAL_TILE.format(w=policy.fmt(plan.tile)))
                expr = (f"sum_over_time({e_tile}[{name}]) / "
                        f"clamp_min(sum_over_time({t_tile}[{name}]), {NO_TRAFFIC_FLOOR})")
            else:
                expr = whole
            rule = _record(entry, ERROR_RATIO.format(w=name), expr, labels)
            # the open tile reads itself: obs backtest writes in the same window's base samples
            rules.append(replace(rule, unrolled=whole) if expr is not whole and w == plan.period else rule)
        rules += tiles.coverage_rules(entry, plan, labels, t_sel)
    budget = budget_of(entry)
    period = ERROR_RATIO.format(w=plan.name(plan.period))
    rules += [
        _record(entry, "slo:objective:ratio", f"vector({_num(1 - budget)})", labels),
        _record(entry, "slo:error_budget:ratio", f"vector({_num(budget)})", labels),
        _record(entry, "slo:error_budget_remaining:ratio", f"1 - {recorded(entry, period)} / {_num(budget)}", labels),
    ]
    return rules


def event_rates(entry: SLOEntry, base: str) -> tuple[str, str]:
    """PromQL for the error and total event rates over the base window, by the groupBy labels."""
    sli = entry.spec.sli
    by = f" by ({', '.join(sli.group_by)})" if sli.group_by else ""

    def rate(selector: object) -> str:
        return f"sum{by}{' ' if by else ''}(rate({selector}[{base}]))"

    if sli.kind == "latency":
        hist = sel.parse(sli.latency.histogram)
        total = rate(hist.with_matchers(sel.Matcher("le", "=", "+Inf")))
        fast = rate(hist.with_matchers(le_matcher(hist.metric, sli.latency.threshold)))
        return f"clamp_min({total} - {fast}, 0)", total
    ratio = sli.ratio
    total = rate(sel.parse(ratio.total))
    if ratio.errors is not None:
        # no error series yet (no 5xx since start) means 0 errors, not no data
        return f"{rate(sel.parse(ratio.errors))} or {total} * 0", total
    good = rate(sel.parse(ratio.good))
    return f"clamp_min({total} - ({good} or {total} * 0), 0)", total


def le_matcher(metric: str, threshold: str) -> sel.Matcher:
    """The bucket of the threshold, in the histogram's unit (seconds, or ms for *_milliseconds_*),
    matching both client spellings of whole numbers (Go writes 1, Java 1.0)."""
    value = threshold_seconds(threshold)
    if "_milliseconds" in metric:
        value = round(value * 1000, 9)  # 0.7s is 700, not 700.0000000000001
    text = _num(Decimal(repr(value)))
    if "." not in text and "e" not in text:
        return sel.Matcher("le", "=~", f"{text}|{text}\\.0")
    return sel.Matcher("le", "=", text)


def burn_alert(catalog: Catalog, entry: SLOEntry, plan: policy.Plan, tier: str) -> Rule | None:
    """The burn-rate alert of one tier (the OR of its window pairs), None when the tier has no pair.
    `obs explain` reads its labels, so what it prints is what compile writes."""
    pairs = plan.tier_pairs(tier)
    if not pairs:
        return None
    budget, conf = budget_of(entry), getattr(entry.spec.alerting, tier)
    clauses = [f"({_above(entry, plan, p.long, p.factor, budget)} and {_above(entry, plan, p.short, p.factor, budget)})"
               for p in pairs]
    tier_labels = {**_head(entry, policy.SEVERITY[tier]), **_rest(labels_of(entry)), **conf.labels}
    text = {**_annotations(catalog, entry), **_describe(entry, plan, tier, budget), **entry.spec.alerting.annotations,
            **conf.annotations}
    return Rule(expr=" or ".join(clauses), alert=entry.alert_name, labels=tier_labels,
                annotations=_ordered(text), origin=entry.origin)


def _alerts(catalog: Catalog, entry: SLOEntry, plan: policy.Plan) -> list[Rule]:
    labels, annotations = labels_of(entry), _annotations(catalog, entry)
    rules = [r for tier in ("page", "ticket") if (r := burn_alert(catalog, entry, plan, tier)) is not None]
    absent = entry.spec.alerting.absent
    if absent is not None and absent.enabled:
        base = recorded(entry, ERROR_RATIO.format(w=plan.name(plan.base)))
        rules.append(Rule(expr=f"absent({base})", alert=ABSENT_ALERT, for_=absent.for_,
                          labels={**_head(entry, "warning"), **_rest(labels)},
                          annotations=_ordered({**annotations,
                                                "summary": f"SLO {entry.service}/{entry.name} has no SLI data",
                                                "description": f"The series of the {entry.name} SLI of {entry.service} "
                                                               f"are missing for {absent.for_}: the SLO cannot alert."}),
                          origin=entry.origin))
    return rules


def _above(entry: SLOEntry, plan: policy.Plan, window: float, factor: float, budget: Decimal) -> str:
    return f"{recorded(entry, ERROR_RATIO.format(w=plan.name(window)))} > ({_num(factor)} * {_num(budget)})"


def _head(entry: SLOEntry, severity: str) -> dict[str, str]:
    return {"service": entry.service, "slo": entry.name, "severity": severity}


def _rest(labels: dict[str, str]) -> dict[str, str]:
    """Labels after service, slo (and severity) keep their sorted order."""
    return {k: v for k, v in labels.items() if k not in ("service", "slo")}


def _annotations(catalog: Catalog, entry: SLOEntry) -> dict[str, str]:
    out = {}
    if entry.runbook:
        out["runbook_url"] = entry.runbook
    url = dashboard_url(catalog, entry.service, "slo")
    if url:
        out["dashboard"] = url
    return out


def _describe(entry: SLOEntry, plan: policy.Plan, tier: str, budget: Decimal) -> dict[str, str]:
    pairs = plan.tier_pairs(tier)
    spends = " or ".join(f"{100 * p.budget_spent(plan.period):.3g}% of the budget within {policy.fmt(p.long)}"
                         for p in pairs)
    percent = _num(budget * 100)
    return {
        "summary": f"SLO {entry.service}/{entry.name} is burning its error budget {_TIER_WORDS[tier]}",
        "description": (f"Error ratio {{{{ $value | humanizePercentage }}}} over the alert's long window; the "
                        f"objective is {_num(Decimal(str(entry.objective)))}% over {entry.window} (budget "
                        f"{percent}%). Fires when {spends} is spent."),
    }


def _ordered(annotations: dict[str, str]) -> dict[str, str]:
    first = ("summary", "description", "runbook_url", "dashboard")
    return {**{k: annotations[k] for k in first if k in annotations},
            **{k: v for k, v in sorted(annotations.items()) if k not in first}}


def _record(entry: SLOEntry, record: str, expr: str, labels: dict[str, str]) -> Rule:
    return Rule(expr=expr, record=record, labels=labels, origin=entry.origin)


def _num(value: Decimal | float) -> str:
    """A number as Prometheus reads it, without float noise: 0.001, 14.4, 99.9, 6."""
    d = Decimal(str(value)) if not isinstance(value, Decimal) else value
    text = format(d.normalize(), "f")
    return text
