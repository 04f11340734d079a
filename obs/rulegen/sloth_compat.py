"""`defaults.slo.slothLabels: true`: an SLO's recorded series also carry Sloth's labels
(`sloth_id`, `sloth_service`, `sloth_slo`) and the metadata series Sloth's dashboards read
(`slo:current_burn_rate:ratio`, `slo:period_burn_rate:ratio`,
`slo:period_error_budget_remaining:ratio`, `slo:time_period:days`, `sloth_slo_info`), so a
dashboard built for Sloth keeps working after the switch. The recording names obs shares with
Sloth (`slo:sli_error:ratio_rate<w>`, `slo:objective:ratio`, `slo:error_budget:ratio`) need
only the labels. Alerts are left as obs writes them.
"""

from __future__ import annotations

from dataclasses import replace

from obs import slo as policy
from obs.catalog import SLOEntry
from obs.rulegen import Rule


def sloth_labels(entry: SLOEntry) -> dict[str, str]:
    """Sloth's identity labels: the SLO id is `<service>-<slo>`, as Sloth forms it."""
    return {"sloth_id": f"{entry.service}-{entry.name}", "sloth_service": entry.service, "sloth_slo": entry.name}


def apply(entry: SLOEntry, plan: policy.Plan, rules: list[Rule]) -> list[Rule]:
    ids = sloth_labels(entry)
    out = [replace(r, labels={**r.labels, **ids}) if r.record else r for r in rules]
    base = next((r.labels for r in out if r.record), ids)
    match = ", ".join(f'{k}="{v}"' for k, v in ids.items())
    on = "on(sloth_id, sloth_slo, sloth_service) group_left"

    def burn(window: float) -> str:
        return (f"slo:sli_error:ratio_rate{plan.name(window)}{{{match}}}\n/ {on}\n"
                f"slo:error_budget:ratio{{{match}}}")
    extra = [("slo:time_period:days", f"vector({policy.fmt_num(plan.period / 86400)})", {}),
             ("slo:current_burn_rate:ratio", burn(plan.base), {}),
             ("slo:period_burn_rate:ratio", burn(plan.period), {}),
             ("slo:period_error_budget_remaining:ratio", f"1 - slo:period_burn_rate:ratio{{{match}}}", {}),
             ("sloth_slo_info", "vector(1)", {"sloth_objective": f"{entry.objective:g}", "sloth_mode": "obs"})]
    at = next((i for i, r in enumerate(out) if r.alert), len(out))  # recordings first, then the alerts
    made = [Rule(expr=expr, record=name, labels={**base, **more}, origin=entry.origin) for name, expr, more in extra]
    return out[:at] + made + out[at:]
