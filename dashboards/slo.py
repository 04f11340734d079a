"""SLOs: for every SLO of the service, the SLI over its windows, burn rate per alert tier with
the policy's thresholds, error budget remaining and the burn alerts firing.

Reads only what obs records for SLOs (SPEC §2.2): `slo:sli_error:ratio_rate<w>` for each
window of the policy and the SLO window, `slo:objective:ratio`, `slo:error_budget:ratio`,
`slo:error_budget_remaining:ratio`, and Prometheus's own ALERTS series for the burn
alerts (labels service, slo, severity) and SLOMetricAbsent.
"""

from obs.dashboards.panels import GREEN, ORANGE, RED, YELLOW, dashboard as build, stat, steps, table, text, timeseries
from obs.dashboards.sloview import ABSENT_ALERT

RECORDS = ("slo:objective:ratio", "slo:error_budget:ratio", "slo:error_budget_remaining:ratio")
TIERS = ("page", "ticket")


def series(ctx):
    names = set(RECORDS) | {"ALERTS"}
    for view in ctx.slos:
        names |= {f"slo:sli_error:ratio_rate{w}" for w in view.windows}
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
    m, e = view.matchers, view.entry
    legend = " ".join(f"{{{{{label}}}}}" for label in view.group_by)
    sli = f"slo:sli_error:ratio_rate{e.window}{{{m}}}"
    remaining = f"slo:error_budget_remaining:ratio{{{m}}}"
    alerts = f'ALERTS{{alertname=~"{e.alert_name}|{ABSENT_ALERT}", {m}, alertstate="firing"}}'
    budget_steps = steps(RED, (0, ORANGE), (0.25, YELLOW), (0.5, GREEN))
    panels = [
        stat(ctx, f"SLI over {e.window}", [(f"1 - {sli}", legend)], "percentunit", decimals=3,
             description=f"Share of good events over the last {e.window}; the objective is {_percent(e.objective)}.",
             thresholds=steps(RED, (e.ratio, GREEN))),
        stat(ctx, "Error budget remaining", [(remaining, legend)], "percentunit", decimals=1,
             thresholds=budget_steps),
        stat(ctx, "Objective", [f"max(slo:objective:ratio{{{m}}})"], "percentunit", decimals=3, color="none"),
        stat(ctx, "Burn alerts firing", [f"count({alerts}) or vector(0)"], no_value="0",
             thresholds=steps(GREEN, (1, RED))),
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
    panels += [
        timeseries(ctx, "Error budget remaining", [(remaining, legend or "remaining")], "percentunit",
                   thresholds=budget_steps, fill=20),
        table(ctx, "Alerts firing", [alerts], w=12, h=8, hide=("Time", "Value", "__name__", "alertstate")),
    ]
    return panels


def _percent(value):
    return f"{value:g}%"
