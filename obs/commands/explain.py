"""`obs explain SERVICE[/SLO]`: the burn-rate policy of each SLO as a table, with what it will
do — detection time at 100% errors and at each pair's threshold, budget spent when it fires."""

from __future__ import annotations

import sys
from pathlib import Path

from obs import codes
from obs import slo as policy
from obs.catalog import Catalog, SLOEntry
from obs.commands.common import emit
from obs.diagnostics import Diagnostic, ObsError
from obs.pipeline import build, locate
from obs.rulegen.slo import budget_of, burn_alert, group_name, plan_for


def explain(project_dir: Path | None, target: str) -> int:
    try:
        result = build(locate(project_dir), run_checks=False)
    except ObsError as e:
        return emit(e.diagnostics)
    service, _, name = target.partition("/")
    entries = [e for e in result.catalog.slos if e.service == service and (not name or e.name == name)]
    if not entries:
        known = sorted(f"{e.service}/{e.name}" for e in result.catalog.slos)
        return emit([Diagnostic(codes.CONFIG_USAGE, f"no SLO {target!r} in this project",
                                hint="SLOs: " + (", ".join(known) or "none"), config=True)])
    sys.stdout.write("\n".join(describe(result.catalog, e) for e in entries))
    return 0


def describe(catalog: Catalog, entry: SLOEntry) -> str:
    try:
        plan = plan_for(catalog, entry)
    except ValueError as e:
        return f"{entry.service}/{entry.name}: {e}\n"
    budget = float(budget_of(entry))
    worst = 1 / budget
    lines = [f"{entry.service}/{entry.name} — objective {entry.objective:g}% over {entry.window} "
             f"(error budget {policy.fmt_num(round(budget * 100, 10))}%, alert {entry.alert_name})",
             f"rule group {group_name(plan.interval)}: evaluated every {policy.fmt(plan.interval)}, " + (
                 "each window computed by the SLI's own PromQL" if entry.spec.sli.kind == "raw" else
                 f"base window {policy.fmt(plan.base)} (rate() windows hold at least {policy.SCRAPES_PER_RATE} "
                 f"scrapes at {policy.fmt(plan.scrape)}), windows of {policy.fmt(policy.TILES_MIN * plan.tile)} "
                 f"or more summed from {policy.fmt(plan.tile)} tiles"), ""]
    head = ("tier", "severity", "long", "short", "factor", "error ratio >", "budget spent", "at 100% errors",
            "at threshold")
    rows = [head]
    severity = _severities(catalog, entry, plan)
    for p in plan.pairs:
        rows.append((p.tier, severity[p.tier], policy.fmt(p.long), policy.fmt(p.short), f"{p.factor:g}",
                     f"{100 * p.threshold(budget):.4g}%", f"{100 * p.budget_spent(plan.period):.3g}%", policy.human(p.time_to_fire(worst)),
                     policy.human(p.time_to_fire(p.factor))))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.append("")
    for p in plan.pairs:
        if p.scaled_short is not None:
            lines.append(f"{p.tier} {policy.fmt(p.long)}: its short window scales to {policy.fmt(p.scaled_short)}, "
                         f"shorter than the base window; it reads the base window {policy.fmt(p.short)}")
    for tier in ("page", "ticket"):
        if not plan.tier_pairs(tier):
            off = not getattr(entry.spec.alerting, tier).enabled
            lines.append(f"{tier}: {'disabled in alerting' if off else 'no window of the policy is of this tier'}")
            continue
        lines.append(f"{tier}: {policy.human(plan.time_to_fire(tier, worst))} to fire at 100% errors "
                     f"(+ up to {policy.fmt(plan.base + plan.interval)} for the base window and evaluation)")
    if entry.spec.alerting.absent is not None and entry.spec.alerting.absent.enabled:
        lines.append(f"SLOMetricAbsent: fires after {entry.spec.alerting.absent.for_} without SLI data")
    return "\n".join(lines) + "\n"


def _severities(catalog: Catalog, entry: SLOEntry, plan: policy.Plan) -> dict[str, str]:
    """Each tier's severity as the compiled alert carries it (a Sloth spec's page/ticket, a tier's
    own severity label), read from the rule compile writes rather than a table of its own."""
    out = {}
    for tier in ("page", "ticket"):
        rule = burn_alert(catalog, entry, plan, tier)
        if rule is not None:
            out[tier] = rule.labels["severity"]
    return out
