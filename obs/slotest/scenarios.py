"""Behaviour scenarios for one SLO, derived from its plan (obs.slo): traffic shapes, and what
the alerts must do, as promtool `promql_expr_test`s that read ALERTS (robust to extra labels).

Every check is an expression that evaluates to an exact small integer (0 or 1), because
promtool 2.42 compares values exactly. Times allow the recording lag: the base window plus
two evaluation steps.

Input series are sampled at the SLO's interval; the rules are evaluated at that interval, or
every half tile (30m at 30d) where a claim spans days: promtool's cost is evaluations × rules,
and evaluating a 3d scenario every minute is most of what `obs test` used to spend. Coarse
scenarios are those whose traffic has one error ratio wherever it has traffic (below-budget,
zero-traffic: every window then holds that ratio or none, at any instant) and pairs whose
long window is read from tiles (it changes once per tile whatever the step; their lag allows
for the step). Phases of a coarse scenario start on an evaluation, tile boundaries are
evaluated as in production, and timing claims of minutes (outage, burst, untiled pairs)
keep every interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from obs import slo as policy
from obs.catalog import SLOEntry
from obs.rulegen import Group
from obs.rulegen.slo import budget_of
from obs.slotest.series import group_values, sli_series

#: events per evaluation interval on healthy, busy traffic
TRAFFIC = 1000.0
BURST = 600.0


@dataclass(frozen=True)
class Check:
    at: float  # seconds from the start
    expr: str
    expect: int
    text: str  # what it proves, for people


@dataclass(frozen=True)
class Phase:
    steps: int
    ratio: float  # error ratio during the phase
    traffic: float = TRAFFIC


@dataclass
class Scenario:
    slo: SLOEntry
    name: str
    text: str
    phases: dict[int, list[Phase]]  # group index → phases (0 burns, 1 stays healthy)
    #: seconds between evaluations of the rules (promtool's evaluation_interval)
    step: float = 60.0
    checks: list[Check] = field(default_factory=list)

    @property
    def steps(self) -> int:
        """Input samples per series (one per SLO interval)."""
        return max(sum(p.steps for p in phases) for phases in self.phases.values())

    @property
    def last(self) -> float:
        """Seconds of the latest check: promtool evaluates the rules up to it."""
        return max((c.at for c in self.checks), default=0.0)

    @property
    def evaluations(self) -> int:
        """What a promtool run costs, in rule-group evaluations."""
        return math.ceil(self.last / self.step) + 1


class Builder:
    """Scenario factory for one compiled SLO group."""

    def __init__(self, entry: SLOEntry, plan: policy.Plan, group: Group, step: float | None = None) -> None:
        self.entry, self.plan, self.group = entry, plan, group
        self.i = plan.interval  # input samples
        self.e = step or plan.interval  # rule evaluations
        self.budget = float(budget_of(entry))
        self.groups = group_values(entry)
        self.alert = entry.alert_name
        self.severity = {r.labels.get("severity"): t for t in ("page", "ticket") for r in group.rules
                         if r.alert == entry.alert_name and _tier_of(r, plan) == t}
        self.lag = plan.base + 2 * self.e

    def coarse(self) -> Builder:
        """The same SLO's scenarios evaluated every half tile, when that is a whole number of
        intervals (each tile boundary is then evaluated, as the tile recordings need)."""
        step = self.plan.tile / 2
        k = step / self.i
        if k < 2 or abs(k - round(k)) > 1e-9:
            return self
        return Builder(self.entry, self.plan, self.group, step)

    def steps(self, seconds: float) -> int:
        """Input samples covering `seconds`, a whole number of evaluation steps."""
        per = round(self.e / self.i)
        return max(1, math.ceil(seconds / self.e)) * per

    def sel(self, extra: str = "", group: int | None = 0) -> str:
        labels = f'alertname="{self.alert}", service="{self.entry.service}", slo="{self.entry.name}"{extra}'
        if group is not None and self.entry.spec.sli.group_by:
            labels += "".join(f', {k}="{v}"' for k, v in self.groups[group].items())
        return f"ALERTS{{{labels}}}"

    def firing(self, at: float, tier: str, expect: int, text: str, group: int = 0) -> Check:
        sev = self._sev(tier)
        extra = f', severity="{sev}", alertstate="firing"'
        return Check(at, f"count({self.sel(extra, group)}) or vector(0)", expect, text)

    def ever(self, at: float, since: float, extra: str, expect: int, text: str, group: int | None = 0) -> Check:
        window = policy.fmt(max(since, self.e))
        return Check(at, f"clamp_max(count(count_over_time({self.sel(extra, group)}[{window}])), 1) or vector(0)",
                     expect, text)

    def _sev(self, tier: str) -> str:
        return next((s for s, t in self.severity.items() if t == tier), policy.SEVERITY[tier])

    def scenario(self, name: str, text: str, burning: list[Phase], every_group: bool = False) -> Scenario:
        """Group 0 follows `burning`; a second group (groupBy) stays healthy, or does the same."""
        phases = {0: burning}
        if len(self.groups) > 1:
            phases[1] = list(burning) if every_group else [Phase(sum(p.steps for p in burning), 0.0)]
        return Scenario(self.entry, name, text, phases, self.e)

    def all(self) -> list[Scenario]:
        """Timing claims of minutes (outage, burst, untiled pairs) at every interval; one-ratio
        runs and pairs whose long window is read from tiles every half tile (see the module)."""
        coarse = self.coarse()
        out = [s for s in (self.outage(), coarse.below_budget(), self.burst(), coarse.zero_traffic()) if s]
        out += [s for p in self.plan.pairs
                if (s := (coarse if self.plan.tiled(p.long) else self).at_threshold(p))]
        return out

    def outage(self) -> Scenario | None:
        burn = 1 / self.budget
        tier = next((t for t in ("page", "ticket") if self.plan.time_to_fire(t, burn) is not None), None)
        if tier is None:
            return None
        healthy = self.steps(max(p.long for p in self.plan.tier_pairs(tier)))
        detect = self.plan.time_to_fire(tier, burn, healthy * self.i)
        by = healthy * self.i + detect + self.lag
        s = self.scenario("outage", f"100% errors {'page' if tier == 'page' else 'open a ticket'} within "
                          f"{policy.human(detect)} (+{policy.human(self.lag)} recording lag)",
                          [Phase(healthy, 0.0), Phase(self.steps(detect + self.lag) + 1, 1.0)])
        start = healthy * self.i
        s.checks += [self.ever(start - self.e, start, "", 0, "no alert before the outage"),
                     self.firing(by, tier, 1, f"{tier} alert firing {policy.human(detect + self.lag)} into the outage")]
        if len(self.groups) > 1:
            s.checks.append(self.firing(by, tier, 0, "the healthy group does not alert", group=1))
        return s

    def below_budget(self) -> Scenario:
        longest = max([p.long for p in self.plan.pairs], default=self.plan.base)
        n = self.steps(longest * 1.1 + self.lag)
        s = self.scenario("below-budget", "errors at 0.9× the budget rate never alert",
                          [Phase(n, 0.9 * self.budget)], True)
        end = n * self.i - self.e
        s.checks.append(self.ever(end, end + self.e, "", 0, "no burn alert during the whole run",
                                  group=None))
        return s

    def at_threshold(self, pair: policy.Pair) -> Scenario | None:
        burn = 1.1 * pair.factor
        if burn * self.budget > 1:
            return None
        healthy = self.steps(max(pair.long / 5, 2 * self.plan.base))
        siblings = max(p.long for p in self.plan.tier_pairs(pair.tier))
        while healthy * self.i < siblings and \
                self.plan.time_to_fire(pair.tier, burn, healthy * self.i) < pair.time_to_fire(burn) * 0.99:
            healthy = self.steps(healthy * self.i * 1.25)  # a sibling pair would fire first
        start = healthy * self.i
        expected = self.plan.time_to_fire(pair.tier, burn, start)
        lag = self.lag + (self.plan.tile if self.plan.tiled(pair.long) else 0)
        s = self.scenario(f"{pair.tier}-{policy.fmt(pair.long)}-{policy.fmt(pair.short)}",
                          f"burn rate 1.1 × {pair.factor:g} "
                          f"fires the {pair.tier} alert after {policy.human(expected)}, not before",
                          [Phase(healthy, 0.0), Phase(self.steps(expected + lag) + 1, burn * self.budget)])
        sev = self._sev(pair.tier)
        before = start + 0.85 * expected
        s.checks += [
            self.ever(before, before, f', severity="{sev}"', 0, f"not firing {policy.human(0.85 * expected)} in"),
            self.firing(start + expected + lag, pair.tier, 1, f"firing {policy.human(expected + lag)} in"),
        ]
        if len(self.groups) > 1:
            s.checks.append(self.firing(start + expected + lag, pair.tier, 0, "the healthy group does not alert",
                                        group=1))
        return s

    def burst(self) -> Scenario:
        healthy = self.steps(2 * self.plan.base)
        burst = self.steps(BURST) if BURST >= self.e else 1
        clear = max([p.short for p in self.plan.pairs], default=self.plan.base) + self.lag
        s = self.scenario("burst", f"a {policy.human(burst * self.i)} burst of errors resolves "
                          f"{policy.human(clear)} after it ends",
                          [Phase(healthy, 0.0), Phase(burst, 1.0), Phase(self.steps(clear) + 2, 0.0)])
        end = (healthy + burst) * self.i
        span = burst * self.i
        page = min([p.factor * self.budget * p.long for p in self.plan.pairs], default=math.inf)
        if page + self.plan.base + self.e <= span:
            s.checks.append(self.ever(end + self.e, span + 2 * self.e, "", 1,
                                      "an alert fired during the burst"))
        firing = self.sel(', alertstate="firing"', None)
        s.checks.append(Check(end + self.steps(clear) * self.i, f"count({firing}) or vector(0)", 0,
                              "no alert firing once the short windows have passed"))
        return s

    def zero_traffic(self) -> Scenario:
        shortest = max([p.short for p in self.plan.pairs], default=self.plan.base) + self.lag
        longest = max([p.long for p in self.plan.pairs], default=self.plan.base) + self.lag
        z1 = self.steps(max(shortest, self.plan.tile + self.lag))  # the first tile holds the period ratio
        busy, z2 = self.steps(2 * shortest), self.steps(longest)
        s = self.scenario("zero-traffic", "zero traffic neither alerts nor poisons the error budget",
                          [Phase(z1, 0.0, 0.0), Phase(busy, 0.5 * self.budget), Phase(z2, 0.0, 0.0)], True)
        i, e = self.i, self.e
        end = (z1 + busy + z2) * i - e
        remaining = (f'slo:error_budget_remaining:ratio{{service="{self.entry.service}", '
                     f'slo="{self.entry.name}"}}')
        s.checks += [
            Check(z1 * i - e, f"count({remaining} != 1) or vector(0)", 0, "budget untouched before any traffic"),
            self.ever(end, end + e, "", 0, "no alert during the whole run", group=None),
            Check(end, f"count({remaining} < 0.49 or {remaining} > 0.51) or vector(0)", 0,
                  "budget remaining stays at 50% after traffic stops"),
        ]
        for at in (z1 * i - e, (z1 + busy // 2) * i, (z1 + busy + z2 // 2) * i, end):
            s.checks += [Check(at, f"count({remaining} != {remaining}) or vector(0)", 0,
                               f"budget remaining not NaN at {policy.human(at)}"),
                         Check(at, f"clamp_max(count({remaining}), 1) or vector(0)", 1,
                               f"budget remaining present at {policy.human(at)}")]
        return s


def _tier_of(rule, plan: policy.Plan) -> str | None:
    for tier in ("page", "ticket"):
        pairs = plan.tier_pairs(tier)
        if pairs and all(f"ratio_rate{plan.name(p.long)}{{" in rule.expr for p in pairs):
            return tier
    return None


def series_for(scenario: Scenario, interval: float) -> list[tuple[str, str]]:
    """(selector, promtool expanding notation) of every input series of a scenario."""
    out = []
    groups = group_values(scenario.slo)
    total_steps = scenario.steps
    for gi, phases in scenario.phases.items():
        padded = list(phases)
        rest = total_steps - sum(p.steps for p in phases)
        if rest > 0:
            padded.append(Phase(rest, phases[-1].ratio, phases[-1].traffic))
        for s in sli_series(scenario.slo, groups[gi]):
            out.append((s.selector(), _notation([(p.steps, p.traffic * (s.errors * p.ratio + s.good * (1 - p.ratio)))
                                                 for p in padded])))
    return out


def _notation(segments: list[tuple[int, float]]) -> str:
    """Counter values, one per step: `start+incxN` per segment, each starting where the last ended."""
    parts, value, first = [], 0.0, True
    for steps, inc in segments:
        inc = _exact(inc)
        start = value if first else value + inc
        parts.append(f"{_f(start)}+{_f(inc)}x{steps - 1}")
        value = start + inc * (steps - 1)
        first = False
    return " ".join(parts)


def _exact(value: float) -> float:
    """Increments in 1/1024ths: every counter value is then exact in binary floating point, so
    promtool's running sums never dip below the next segment's start (a false counter reset)."""
    return round(value * 1024) / 1024


def _f(value: float) -> str:
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text or "0"
