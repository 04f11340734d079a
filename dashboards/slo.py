"""SLOs: for every SLO of the service, the SLI over its windows, burn rate per alert tier with
the policy's thresholds, error budget remaining and the burn alerts firing.

Reads only what obs records for SLOs (SPEC §2.2): `slo:sli_error:ratio_rate<w>` for each
window of the policy and the SLO window, `slo:objective:ratio`, `slo:error_budget:ratio`,
`slo:error_budget_remaining:ratio` and `slo:sli_window_coverage:ratio<window>` (how much of the
window the period sums hold yet; not for `raw` SLIs). Whether a burn alert fires is its own condition evaluated
on those recordings (both windows of a pair above factor × budget), not Prometheus's ALERTS
series, which is empty where another ruler (KubeSphere's, Thanos's, Mimir's) evaluates the
alerts; SLOMetricAbsent is `absent()` of the base-window ratio, as its rule is.
"""

from obs.dashboards.panels import GREEN, ORANGE, RED, YELLOW, dashboard as build, stat, steps, table, text, timeseries
from obs.dashboards.sloview import ABSENT_ALERT

RECORDS = ("slo:objective:ratio", "slo:error_budget:ratio", "slo:error_budget_remaining:ratio")
TIERS = ("page", "ticket")


def series(ctx):
    names = set(RECORDS)
    for view in ctx.slos:
        names |= {f"slo:sli_error:ratio_rate{w}" for w in view.windows}
        if _covered(view):
            names.add(f"slo:sli_window_coverage:ratio{view.entry.window}")
    return names


def dashboard(ctx):
    sections = [(None, [text(_summary(ctx), h=2 + 2 * len(ctx.slos))])]
    for view in ctx.slos:
        sections.append((_row_title(view), _panels(ctx, view)))
    return build(ctx, sections, description=f"Service level objectives of {ctx.service.name}.")


def _row_title(view):
    e = view.entry
    return f"{e.name}: {_percent(e.objective)} over {e.window}"


def _summary(ctx):
    lines = ["| SLO | objective | window | alert | runbook |", "|---|---|---|---|---|"]
    for view in ctx.slos:
        e = view.entry
        runbook = f"[runbook]({e.runbook})" if e.runbook else ""
        description = f" — {e.spec.description}" if e.spec.description else ""
        lines.append(f"| **{e.name}**{description} | {_percent(e.objective)} | {e.window} | {e.alert_name} | {runbook} |")
    return "\n".join(lines)


def _panels(ctx, view):
    m, e = ctx.slo_sel(view), view.entry
    legend = " ".join(f"{{{{{label}}}}}" for label in view.group_by)
    sli = f"slo:sli_error:ratio_rate{e.window}{{{m}}}"
    remaining = f"slo:error_budget_remaining:ratio{{{m}}}"
    firing = [(tier, burning(view, m, tier)) for tier in TIERS if view.tier(tier)]
    budget_steps = steps(RED, (0, ORANGE), (0.25, YELLOW), (0.5, GREEN))
    panels = [
        stat(ctx, f"SLI over {e.window}", [(f"1 - {sli}", legend)], "percentunit", decimals=3, w=5,
             description=f"Share of good events over the last {e.window}; the objective is {_percent(e.objective)}.",
             thresholds=steps(RED, (e.ratio, GREEN))),
        stat(ctx, "Error budget remaining", [(remaining, legend)], "percentunit", decimals=1, w=5,
             thresholds=budget_steps),
        stat(ctx, "Objective", [f"max(slo:objective:ratio{{{ctx.slo_sel(view, grouped=False)}}})"], "percentunit",
             decimals=3, color="none", w=4),
        *([stat(ctx, "Window covered", [(f"slo:sli_window_coverage:ratio{e.window}{{{m}}}", legend)], "percentunit",
                decimals=1, w=5, color="none",
                description=f"How much of the {e.window} window the SLI and the budget hold yet: below 100% for "
                            f"the first {e.window} after the SLO was deployed (or after a gap in evaluation).")]
          if _covered(view) else []),
        stat(ctx, "Burn alerts firing",
             [*((f"count({expr}) or vector(0)", tier) for tier, expr in firing),
              (f"absent(slo:sli_error:ratio_rate{view.base}{{{m}}})", "no SLI data")], no_value="0",
             thresholds=steps(GREEN, (1, RED)), w=5 if _covered(view) else 10,
             description=f"Series for which {e.alert_name} fires now, per tier: its condition evaluated on the "
                         "recordings, not Prometheus's ALERTS (empty when another ruler evaluates the alerts); "
                         f"\"no SLI data\" is {ABSENT_ALERT}'s condition."),
        timeseries(ctx, "Error ratio over the windows",
                   [(f"slo:sli_error:ratio_rate{w}{{{m}}}", f"{w} {legend}".strip()) for w in view.windows],
                   "percentunit", w=24, description=f"The error budget is {view.budget:g} (1 - objective).",
                   thresholds=steps(GREEN, (view.budget, RED))),
    ]
    for tier in TIERS:
        burns = view.tier(tier)
        if not burns:
            continue
        severity = burns[0].severity  # what the compiled alert carries
        queries = []
        for a in burns:
            for w, kind in ((a.long, "long"), (a.short, "short")):
                queries.append((f"slo:sli_error:ratio_rate{w}{{{m}}} / {view.budget:g}",
                                f"{w} {kind} ({a.factor:g}x) {legend}".strip()))
        factors = sorted({a.factor for a in burns})
        colours = [ORANGE] * (len(factors) - 1) + [RED]
        pairs = ", ".join(f"{a.long}/{a.short} above {a.factor:g}x" for a in burns)
        panels.append(timeseries(ctx, f"Burn rate: {tier} ({severity})", queries, "suffix:x", w=12,
                                 description=f"Burn rate = error ratio / error budget. {e.alert_name} "
                                             f"{{severity=\"{severity}\"}} fires while both windows of a pair "
                                             f"exceed its factor: {pairs}.",
                                 thresholds=steps(GREEN, *zip(factors, colours))))
    panels.append(timeseries(ctx, "Error budget remaining", [(remaining, legend or "remaining")], "percentunit",
                             thresholds=budget_steps, fill=20))
    if firing:  # an SLO with both tiers off has no burn alert to show
        panels.append(table(ctx, "Burning now",
                            [f'label_replace({expr}, "tier", "{tier}", "", "")' for tier, expr in firing],
                            w=12, h=8, hide=("Time",), description="Each series whose burn alert fires now, with "
                            "the long window's burn rate (error ratio / error budget) as its value."))
    return panels


def _covered(view):
    """Coverage is recorded for every SLI obs reads itself; a `raw` SLI's windows are the team's PromQL."""
    return view.entry.spec.sli.kind != "raw"


def burning(view, m, tier):
    """The tier's alert condition as the SLO rules write it (any pair: both windows above factor ×
    budget), divided by the budget: the long window's burn rate of each series that fires now."""
    pairs = [f"slo:sli_error:ratio_rate{a.long}{{{m}}} > ({a.factor:g} * {view.budget:g}) and "
             f"slo:sli_error:ratio_rate{a.short}{{{m}}} > ({a.factor:g} * {view.budget:g})" for a in view.tier(tier)]
    return f"(({') or ('.join(pairs)})) / {view.budget:g}"


def _percent(value):
    return f"{value:g}%"
