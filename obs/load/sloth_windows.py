"""Sloth's AlertWindows (`sloth.slok.dev/v1`, the file `--slo-period-windows-path` reads) as an
obs `kind: BurnRatePolicy`: the burn-rate windows of every SLO whose window is its `sloPeriod`,
used as written (not scaled from 30d), as Sloth uses them for SLOs of that period.

Sloth's page alert fires on its `quick` or `slow` pair, its ticket alert likewise; each pair's
burn-rate factor is errorBudgetPercent / 100 × sloPeriod / longWindow (Sloth's own formula),
which is what obs's `budget` percent means.
"""

from __future__ import annotations

from obs.diagnostics import Diagnostics
from obs.load import convert as cv
from obs.load.yamlpos import PosDict, PosList

_SPEC = ("sloPeriod", "page", "ticket")
_PAIR = ("errorBudgetPercent", "shortWindow", "longWindow")


def policy(data: PosDict, diags: Diagnostics) -> PosDict | None:
    from obs.load.sloth import SLOTH_INVALID
    spec = data.get("spec")
    if not isinstance(spec, PosDict):
        diags.error(SLOTH_INVALID, "an AlertWindows needs a 'spec' with sloPeriod, page and ticket",
                    data.where("spec"))
        return None
    cv.unknown_keys(spec, _SPEC, "an AlertWindows spec", SLOTH_INVALID, diags, warn=True)
    period = cv.text_field(spec, "sloPeriod", "an AlertWindows spec", SLOTH_INVALID, diags)
    windows = PosList(spec.pos)
    for tier in ("page", "ticket"):
        body = spec.get(tier)
        if not isinstance(body, PosDict):
            diags.error(SLOTH_INVALID, f"an AlertWindows spec needs '{tier}' with quick and slow windows",
                        spec.where(tier))
            return None
        cv.unknown_keys(body, ("quick", "slow"), f"AlertWindows {tier}", SLOTH_INVALID, diags, warn=True)
        for speed in ("quick", "slow"):
            row = _pair(body, tier, speed, diags)
            if row is None:
                return None
            windows.append(row)
            windows.item_pos.append(body.where(speed))
    if period is None:
        return None
    doc, meta = cv.document("BurnRatePolicy", data)
    name = (data.get("metadata") or {}).get("name") if isinstance(data.get("metadata"), dict) else None
    cv.put(meta, "name", cv.slug(name or f"sloth-{period}"), data)
    doc.notes.append(f"Sloth AlertWindows for SLOs of {period}: used as written for every SLO of that window")
    body = cv.node(spec)
    cv.put(body, "window", period, (spec, "sloPeriod"))
    cv.put(body, "windows", windows, spec)
    cv.put(doc, "spec", body, (data, "spec"))
    return doc


def _pair(body: PosDict, tier: str, speed: str, diags: Diagnostics) -> PosDict | None:
    from obs.load.sloth import SLOTH_INVALID
    pair = body.get(speed)
    where = f"AlertWindows {tier}.{speed}"
    if not isinstance(pair, PosDict):
        diags.error(SLOTH_INVALID, f"{where} needs errorBudgetPercent, shortWindow and longWindow",
                    body.where(speed))
        return None
    cv.unknown_keys(pair, _PAIR, where, SLOTH_INVALID, diags, warn=True)
    budget = pair.get("errorBudgetPercent")
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not 0 < budget <= 100:
        diags.error(SLOTH_INVALID, f"{where}.errorBudgetPercent must be a percentage above 0 (got {budget!r})",
                    pair.where("errorBudgetPercent"))
        return None
    short = cv.text_field(pair, "shortWindow", where, SLOTH_INVALID, diags)
    long = cv.text_field(pair, "longWindow", where, SLOTH_INVALID, diags)
    if short is None or long is None:
        return None
    out = cv.node(pair)
    cv.put(out, "tier", tier, body.where(speed))
    cv.put(out, "long", long, (pair, "longWindow"))
    cv.put(out, "short", short, (pair, "shortWindow"))
    cv.put(out, "budget", budget, (pair, "errorBudgetPercent"))
    return out
