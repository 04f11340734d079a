"""OpenSLO alert policies mapped onto obs's multiwindow, multi-burn-rate tiers.

An OpenSLO AlertCondition is one burn rate over one lookback window; obs alerts on pairs of
windows (SPEC §2.2). Each condition's severity picks a tier (page for page/critical/sev1/p1/
high, else ticket); a tier no condition picks is disabled. A condition whose threshold and
lookback are not one of that tier's pairs is reported (warning), never silently rewritten.
Notification targets become `notify` channel names; `alertWhenNoData` the absent alert.
"""

from __future__ import annotations

from typing import Any

from obs import codes, durations
from obs.diagnostics import Diagnostics
from obs.load import convert as cv
from obs.load.yamlpos import PosDict

OSLO_ALERT = codes.define("IM013", "import/openslo-alert-policy",
                          "An OpenSLO alert condition that obs maps onto its multiwindow tiers differently "
                          "from how it reads.")

PAGE_SEVERITIES = ("page", "critical", "sev1", "p1", "high")
#: obs's default pairs for a 30d window: (long window, factor) per tier
TIER_PAIRS = {"page": (("1h", 14.4), ("6h", 6.0)), "ticket": (("1d", 3.0), ("3d", 1.0))}


def alert_policies(spec: PosDict, index: dict, diags: Diagnostics) -> PosDict | None:
    from obs.load.openslo import OSLO_INVALID, OSLO_REF
    policies = spec.get("alertPolicies")
    if not policies:
        return None
    if not isinstance(policies, list):
        diags.error(OSLO_INVALID, "alertPolicies must be a list", spec.where("alertPolicies"))
        return None
    tiers: set[str] = set()
    notify: list[tuple[str, Any]] = []
    no_data = None
    for i, item in enumerate(policies):
        policy = _resolve(item, "alertPolicyRef", index["AlertPolicy"], policies.where(i), diags, OSLO_REF)
        pspec = policy.get("spec") if isinstance(policy, dict) else None
        if policy is None:
            continue
        if not isinstance(pspec, PosDict):
            diags.error(OSLO_INVALID, "an AlertPolicy needs a 'spec' with 'conditions'", policy.pos)
            continue
        conditions = pspec.get("conditions")
        if not isinstance(conditions, list) or not conditions:
            diags.error(OSLO_INVALID, "an AlertPolicy needs 'conditions'", pspec.where("conditions"))
            continue
        for j, c in enumerate(conditions):
            cond = _resolve(c, "conditionRef", index["AlertCondition"], conditions.where(j), diags, OSLO_REF)
            tier = _condition(cond, diags) if cond is not None else None
            if tier:
                tiers.add(tier)
        targets = pspec.get("notificationTargets") or []
        if not isinstance(targets, list):
            diags.error(OSLO_INVALID, "notificationTargets must be a list", pspec.where("notificationTargets"))
            targets = []
        for k, t in enumerate(targets):
            name = t.get("targetRef") if isinstance(t, dict) and "targetRef" in t else cv_name(t)
            if isinstance(name, str):
                notify.append((cv.slug(name), targets.where(k)))
        if pspec.get("alertWhenNoData") is True:
            no_data = (pspec, "alertWhenNoData")
    out = cv.node(spec.key_pos.get("alertPolicies") or spec.pos)
    for tier in ("page", "ticket"):
        if tier not in tiers:
            off = cv.node((spec, "alertPolicies"))
            cv.put(off, "enabled", False, (spec, "alertPolicies"))
            cv.put(out, tier, off, (spec, "alertPolicies"))
    if notify:
        names = sorted({n for n, _ in notify})
        cv.put(out, "notify", names, notify[0][1])
        out.notes.append("notify: the AlertNotificationTargets' names, as obs Channel names")
    if no_data:
        absent = cv.node(no_data)
        cv.put(absent, "for", "10m", no_data)
        cv.put(out, "absent", absent, no_data)
    return out


def cv_name(item: Any) -> str | None:
    meta = item.get("metadata") if isinstance(item, dict) else None
    return meta.get("name") if isinstance(meta, dict) else None


def _resolve(item: Any, ref_key: str, docs: dict, pos: Any, diags: Diagnostics, code: str) -> PosDict | None:
    if isinstance(item, PosDict) and ref_key in item:
        if not isinstance(item[ref_key], str):
            diags.error(code, f"{ref_key} must be the name of an OpenSLO document", item.where(ref_key))
            return None
        found = docs.get(item[ref_key])
        if found is None:
            diags.error(code, f"{ref_key} {item[ref_key]!r} names no OpenSLO document", item.where(ref_key))
        return found
    return item if isinstance(item, PosDict) else None


def _condition(cond: PosDict, diags: Diagnostics) -> str | None:
    from obs.load.openslo import OSLO_INVALID, OSLO_UNSUPPORTED
    spec = cond.get("spec")
    body = spec.get("condition") if isinstance(spec, PosDict) else None
    if not isinstance(body, PosDict):
        diags.error(OSLO_INVALID, "an AlertCondition needs spec.condition", cond.pos)
        return None
    severity = str(spec.get("severity", ""))
    tier = "page" if severity.lower() in PAGE_SEVERITIES else "ticket"
    if body.get("kind", "burnrate") != "burnrate":
        diags.error(OSLO_UNSUPPORTED, f"alert condition kind {body.get('kind')!r} is not supported; obs alerts on "
                    "burn rates", body.where("kind"))
        return None
    op, threshold, lookback = body.get("op"), body.get("threshold"), body.get("lookbackWindow")
    if op not in ("gt", "gte"):
        diags.error(OSLO_UNSUPPORTED, f"burn-rate op {op!r} is not supported: obs alerts while the burn rate "
                    "exceeds a threshold (gt or gte)", body.where("op"))
        return None
    long = cv.shorthand(lookback)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or threshold <= 0 or long is None:
        diags.error(OSLO_INVALID, "a burnrate condition needs a positive 'threshold' and a 'lookbackWindow' "
                    "such as 1h", body.pos)
        return None
    pairs = TIER_PAIRS[tier]
    if not any(durations.seconds(long) == durations.seconds(w) and float(threshold) == f for w, f in pairs):
        described = ", ".join(f"{f:g}x over {w}" for w, f in pairs)
        diags.warning(OSLO_ALERT, f"burn rate {threshold:g} over {lookback} (severity {severity or 'unset'}) "
                      f"becomes obs's {tier} tier: {described}, each with its short window", body.pos,
                      hint="obs's policy is set in obs.yaml defaults.slo.policy")
    return tier
