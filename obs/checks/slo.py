"""SLO semantic checks: what the schema cannot see but would make the generated rules wrong
or silent. The SLO compiler skips an SLO with an error here, so every skip has its line."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from obs import slo as policy
from obs.checks import check
from obs.checks.promql import parse_error, shape
from obs.diagnostics import Diagnostic, Severity
from obs.load.salvage import broken_of
from obs.model.slo import SLI
from obs.rulegen import selector as sel
from obs.rulegen.slo import budget_of, plan_for, service_groups

if TYPE_CHECKING:
    from obs.pipeline import Build

NOT_A_SELECTOR = "SL001"
NOT_BUCKET = "SL002"
WINDOW_TOO_SHORT = "SL003"
GROUP_PINNED = "SL004"
TIER_SILENT = "SL005"


@lru_cache(maxsize=1 << 16)
def _selector(text: str) -> sel.Selector | ValueError:
    """sel.parse, once per text for all the checks here (a Selector is immutable)."""
    try:
        return sel.parse(text)
    except ValueError as e:
        return e


def _parsed(text: str) -> sel.Selector:
    got = _selector(text)
    if isinstance(got, ValueError):
        raise got
    return got


def _plans(build: Build) -> list[tuple]:
    """(entry, its window plan or the ValueError plan_for raised) of every SLO, computed once a
    build for SL003, SL005 and SL006."""
    cached = build.__dict__.get("_slo_plans")
    if cached is None or cached[0] is not build.catalog:
        plans = []
        for entry in build.catalog.slos:
            try:
                plans.append((entry, plan_for(build.catalog, entry)))
            except ValueError as e:
                plans.append((entry, e))
        cached = build.__dict__["_slo_plans"] = (build.catalog, plans)
    return cached[1]


def _slis(build: Build) -> Iterator[tuple[str, SLI]]:
    """("SLO service/name", SLI) of every SLO, and of SLOs that failed the schema elsewhere than in
    their SLI: a bad objective must not hide a bad selector (obs.load.salvage)."""
    for entry in build.catalog.slos:
        yield f"SLO {entry.service}/{entry.name}", entry.spec.sli
    for item in broken_of(build.defs, "SLO"):
        sli = item.part("sli", SLI)
        if sli is not None:
            yield f"SLO {item.service}/{item.name}", sli


def _selectors(sli: SLI):
    """(model part, field, text) of every selector the SLI names."""
    if sli.kind == "ratio":
        return [(sli.ratio, f, getattr(sli.ratio, f)) for f in ("errors", "good", "total") if getattr(sli.ratio, f)]
    if sli.kind == "latency":
        return [(sli.latency, "histogram", sli.latency.histogram)]
    return []


@check(NOT_A_SELECTOR, "slo/not-a-selector",
       "A ratio or latency SLI takes plain series selectors; obs writes rate() and sum() itself.")
def not_a_selector(build: Build) -> Iterable[Diagnostic]:
    plain: set[str] = set()  # shapes known to be plain selectors, in this run of the check
    for what, sli in _slis(build):
        for part, field, text in _selectors(sli):
            if parse_error(text):
                continue  # not PromQL at all: PQ001 says so once
            key = shape(text)
            if key is not None and key in plain:
                continue  # whether it is a plain selector does not depend on its label values either
            try:
                _parsed(text)
            except ValueError as e:
                yield Diagnostic(NOT_A_SELECTOR, f"{what}: {field} {e}", part.pos_of(field),
                                 hint="use the `raw` SLI for any other PromQL")
                continue
            if key is not None:
                plain.add(key)


@check(NOT_BUCKET, "slo/histogram-not-bucket",
       "A latency SLI's histogram selector must name the histogram's _bucket series, without an le matcher.")
def not_bucket(build: Build) -> Iterable[Diagnostic]:
    for what, sli in _slis(build):
        if sli.kind != "latency":
            continue
        lat = sli.latency
        try:
            hist = _parsed(lat.histogram)
        except ValueError:
            continue
        if not hist.metric.endswith("_bucket"):
            yield Diagnostic(NOT_BUCKET, f"{what}: histogram {hist.metric} does not end in _bucket",
                             lat.pos_of("histogram"),
                             hint=f"name the bucket series, e.g. {hist.metric.removesuffix('_count')}_bucket")
        elif any(m.name == "le" for m in hist.matchers):
            yield Diagnostic(NOT_BUCKET, f"{what}: the histogram selector must not match on le; obs picks the "
                             "threshold's bucket", lat.pos_of("histogram"))


@check(WINDOW_TOO_SHORT, "slo/window-too-short",
       "A policy window, scaled to the SLO's window, is shorter than the base recording window, which holds at "
       "least 4 scrapes (or the interval is too long for Prometheus's lookback).")
def window_too_short(build: Build) -> Iterable[Diagnostic]:
    for entry, plan in _plans(build):
        if isinstance(plan, ValueError):
            yield Diagnostic(WINDOW_TOO_SHORT, f"SLO {entry.service}/{entry.name}: {plan}", entry.spec.pos_of("window"))
            continue
        problems = policy.problems(plan)
        if problems:
            yield Diagnostic(WINDOW_TOO_SHORT, f"SLO {entry.service}/{entry.name} with window {entry.window}: "
                             + "; ".join(problems), entry.spec.pos_of("window"),
                             hint="use a longer window or longer policy windows (defaults.slo.policy); if "
                                  "Prometheus scrapes more often, say so in defaults.prometheus.scrapeInterval")


@check(GROUP_PINNED, "slo/groupby-pinned",
       "A groupBy label that a selector fixes to one value gives one group only: the grouping does nothing.")
def group_pinned(build: Build) -> Iterable[Diagnostic]:
    for entry in build.catalog.slos:
        body = entry.spec.sli.ratio or entry.spec.sli.latency or entry.spec.sli.raw
        for label in entry.spec.sli.group_by:
            for part, field, text in _selectors(entry.spec.sli):
                try:
                    value = _parsed(text).pinned(label)
                except ValueError:
                    continue
                if value is not None:
                    yield Diagnostic(GROUP_PINNED, f"SLO {entry.service}/{entry.name}: groupBy label {label!r} is "
                                     f"pinned to {value!r} by the {field} selector", body.pos_of("groupBy"),
                                     hint=f"drop {label} from groupBy, or match it with a regular expression")
                    break


def _planned(build: Build) -> Iterator[tuple]:
    """Each SLO with its window plan; an SLO without one is SL003's to report."""
    for entry, plan in _plans(build):
        if not isinstance(plan, ValueError):
            yield entry, plan


@check(TIER_SILENT, "slo/tier-cannot-fire",
       "At this objective even 100% errors cannot reach a tier's burn-rate factors: the tier never fires.")
def tier_silent(build: Build) -> Iterable[Diagnostic]:
    for entry, plan in _planned(build):
        worst = 1 / float(budget_of(entry))
        for tier in ("page", "ticket"):
            pairs = plan.tier_pairs(tier)
            if pairs and plan.time_to_fire(tier, worst) is None:
                lowest = min(p.factor for p in pairs)
                yield Diagnostic(TIER_SILENT, f"SLO {entry.service}/{entry.name}: the {tier} alert can never fire: "
                                 f"100% errors burn the {policy.fmt_num(100 - entry.objective)}% budget at "
                                 f"{worst:.3g}×, below its lowest factor {lowest:g}", entry.spec.pos_of("objective"),
                                 Severity.WARNING, hint="raise the objective or lower the tier's factors")


@check("SL006", "slo/no-burn-alert",
       "An SLO whose alerting and policy leave no burn-rate alert at all: it is recorded, but nobody is told.")
def no_burn_alert(build: Build) -> Iterable[Diagnostic]:
    for entry, plan in _planned(build):
        if not plan.tier_pairs("page") and not plan.tier_pairs("ticket"):
            yield Diagnostic("SL006", f"SLO {entry.service}/{entry.name} has no burn-rate alert: page and ticket are "
                             "disabled or have no window in the policy", entry.spec.pos_of("alerting") or entry.origin.pos,
                             Severity.WARNING, hint="enable a tier, or drop the SLO if only its dashboard is wanted")


@check("SL007", "slo/severity-label", "`severity` among an SLO's labels is ignored: burn alerts take their severity "
                                      "from the tier (page critical, ticket warning) or the tier's own labels.")
def severity_label(build: Build) -> Iterable[Diagnostic]:
    for entry in build.catalog.slos:
        for where, labels in (("labels", entry.spec.labels), ("alerting.labels", entry.spec.alerting.labels)):
            if "severity" in labels:
                part = entry.spec if where == "labels" else entry.spec.alerting
                yield Diagnostic("SL007", f"SLO {entry.service}/{entry.name}: `severity` in {where} is ignored; "
                                 "each burn alert's severity comes from its tier", part.pos_of("labels"),
                                 Severity.WARNING, hint="set alerting.page.labels.severity or "
                                                        "alerting.ticket.labels.severity instead")


@check("SL021", "slo/group-name-taken", "A service's rule group is named like the group obs writes that service's "
                                        "SLOs into (`slo-<interval>`): one rule file cannot hold two groups of one name.")
def slo_group_name_taken(build: Build) -> list[Diagnostic]:
    taken = {(g.service, g.name): g for g in build.catalog.rule_groups if g.service and g.name.startswith("slo-")}
    out = []
    for service in sorted({k[0] for k in taken}):
        for group in service_groups(build.catalog, service):
            native = taken.get((service, group.name))
            if native is None:
                continue
            out.append(Diagnostic("SL021", f"rule group {native.name!r} of service {service} has the name obs gives "
                                  "that service's SLO group; Prometheus refuses a file with both",
                                  native.origin.pos, hint="rename the rule group"))
    return out
