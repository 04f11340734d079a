"""Burn-rate policy and window arithmetic: the math of SPEC §2.2 in one place, pure functions.

A policy is written for a 30d reference period; an SLO of another length scales every window
by period / 30d and keeps the factors. Each SLO also gets an evaluation interval and a base
window (the one `rate()` over raw series is taken over, at least 4 scrapes long); every longer
window is a sum of base-window recordings, so it costs the same whatever the raw series count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from obs.durations import format_seconds, seconds

REFERENCE = 30 * 86400.0
MINUTE = 60.0
#: a tile is this many base windows; windows of TILES_MIN tiles or more are summed from tiles
TILE_BASES = 12
TILES_MIN = 24
#: Prometheus looks back 5m for the latest sample: a tile recorded less often would be missed
LOOKBACK = 300.0
#: every rate() window holds at least this many scrapes: with fewer than two samples rate() is
#: empty (a 1m window at a 1m scrape interval), and 4 (Grafana's $__rate_interval) survives a miss
SCRAPES_PER_RATE = 4
#: KubeSphere's scrape interval, the default of `defaults.prometheus.scrapeInterval`
DEFAULT_SCRAPE = 60.0

#: tier, long window, short window, burn-rate factor — the SRE workbook's policy for 30d
DEFAULT_POLICY: tuple[tuple[str, str, str, float], ...] = (
    ("page", "1h", "5m", 14.4),
    ("page", "6h", "30m", 6.0),
    ("ticket", "1d", "2h", 3.0),
    ("ticket", "3d", "6h", 1.0),
)
#: the severity a tier's alert carries unless the tier's labels say otherwise (obs.rulegen.slo.burn_alert)
SEVERITY = {"page": "critical", "ticket": "warning"}


@dataclass(frozen=True)
class Pair:
    """One window pair of a policy, scaled to an SLO's period (seconds)."""

    tier: str
    long: float
    short: float
    factor: float
    #: the short window as the policy scales it, when that was shorter than the base window and
    #: the pair reads the base window instead
    scaled_short: float | None = None

    def threshold(self, budget: float) -> float:
        """The error ratio both windows must exceed: factor × (1 - objective)."""
        return self.factor * budget

    def budget_spent(self, period: float) -> float:
        """Share of the period's budget spent when it fires at its threshold (long window full)."""
        return self.factor * self.long / period

    def time_to_fire(self, burn: float, history: float = math.inf) -> float | None:
        """Seconds from the start of a constant burn to firing, after `history` seconds of
        error-free traffic (a long window not yet full fires sooner); None if it never does."""
        if burn <= 0 or burn < self.factor:
            return None
        full = self.factor * self.long / burn
        if burn > self.factor and history < self.long:
            partial = self.factor * history / (burn - self.factor)
            if partial < self.long - history:
                return partial
        return full


@dataclass(frozen=True)
class Plan:
    """Everything an SLO's rules and tests need: period, interval, base window and pairs."""

    period: float
    interval: float
    base: float
    pairs: tuple[Pair, ...]
    #: the SLO window as written (7d stays 7d, not 1w)
    period_name: str = ""
    scrape: float = DEFAULT_SCRAPE
    #: the tile is 12 of these: the base window the policy gives, before the scrape interval raised it
    tile_base: float = 0.0

    def name(self, window: float) -> str:
        """A window as a Prometheus duration, for record names: ratio_rate<name>."""
        return self.period_name if window == self.period and self.period_name else fmt(window)

    @property
    def windows(self) -> tuple[float, ...]:
        """Every window with a `slo:sli_error:ratio_rate<w>` recording, shortest first."""
        found = {self.base, self.period}
        for p in self.pairs:
            found |= {p.long, p.short}
        return tuple(sorted(found))

    @property
    def tile(self) -> float:
        """Long windows sum hourly tiles (at 30d; 12 base windows), one sample per tile,
        instead of every base sample: 60× fewer samples read, at most one tile late."""
        return TILE_BASES * (self.tile_base or self.base)

    def tiled(self, window: float) -> bool:
        """Windows of at least 24 tiles are read from tiles: 24× cheaper, at most 1/24 late."""
        return window >= TILES_MIN * self.tile

    def tier_pairs(self, tier: str) -> tuple[Pair, ...]:
        return tuple(p for p in self.pairs if p.tier == tier)

    def time_to_fire(self, tier: str, burn: float, history: float = math.inf) -> float | None:
        times = [t for t in (p.time_to_fire(burn, history) for p in self.tier_pairs(tier)) if t is not None]
        return min(times) if times else None


def policy_rows(policy: Sequence | None) -> list[tuple[str, float, float, float]]:
    """(tier, long s, short s, factor) for a 30d period, from `defaults.slo.policy` or the default.
    A row given as `budget` (percent spent) becomes factor = budget × 30d / long."""
    if not policy:
        return [(t, seconds(lo), seconds(sh), f) for t, lo, sh, f in DEFAULT_POLICY]
    rows = []
    for w in policy:
        long_s = seconds(w.long)
        factor = w.factor if w.factor is not None else w.budget / 100 * REFERENCE / long_s
        rows.append((w.tier, long_s, seconds(w.short), float(factor)))
    return rows


def scale(rows: Iterable[tuple[str, float, float, float]], period: float) -> tuple[Pair, ...]:
    """Windows × period/30d, rounded to whole seconds (Prometheus durations); factors kept."""
    k = period / REFERENCE
    return tuple(Pair(t, float(round(lo * k)), float(round(sh * k)), f) for t, lo, sh, f in rows)


def default_interval(period: float) -> float:
    """1m up to a 30d window, then longer in whole minutes (3m at 90d): cost and test time
    stay flat as windows grow, while every window keeps the same number of samples."""
    return min(4 * MINUTE, max(MINUTE, math.floor(period / REFERENCE) * MINUTE))


def default_base(pairs: Sequence[Pair], interval: float) -> float:
    """The shortest scaled window (5m at 30d), floored to a whole number of intervals and
    never below one interval (problems() reports windows that end up shorter)."""
    shortest = min([p.short for p in pairs] + [p.long for p in pairs], default=5 * MINUTE)
    return max(interval, math.floor(shortest / interval) * interval)


def rate_floor(scrape: float, interval: float) -> float:
    """The shortest base window at this scrape interval: 4 scrapes, in whole evaluation intervals."""
    return math.ceil(SCRAPES_PER_RATE * scrape / interval) * interval


def read_at(pair: Pair, base: float) -> Pair:
    """A short window shorter than the base window reads the base window: the short window only
    makes an alert reset soon after a burst, and no ratio can be read over less than the base."""
    if pair.short >= base:
        return pair
    return Pair(pair.tier, pair.long, base, pair.factor, scaled_short=pair.short)


def plan(window: str, policy: Sequence | None = None, interval: str | None = None,
         base: str | None = None, tiers: Iterable[str] = ("page", "ticket"), scrape: str | None = None,
         exact: Sequence[tuple[str, float, float, float]] | None = None) -> Plan:
    """The plan of an SLO of this window; interval and base default from the window, and the
    default base is raised to 4 scrapes (a 7d SLO at a 1m scrape interval: 1m → 4m). `exact`:
    (tier, long s, short s, factor) rows written for this very window (a BurnRatePolicy), not scaled."""
    period = seconds(window)
    pairs = tuple(Pair(*row) for row in exact) if exact else scale(policy_rows(policy), period)
    every = seconds(interval) if interval else default_interval(period)
    every_scrape = seconds(scrape) if scrape else DEFAULT_SCRAPE
    natural = seconds(base) if base else default_base(pairs, every)
    chosen_base = natural if base else max(natural, rate_floor(every_scrape, every))
    chosen = tuple(read_at(p, chosen_base) for p in pairs if p.tier in set(tiers))
    return Plan(period, every, chosen_base, chosen, window, every_scrape, natural)


def problems(p: Plan) -> list[str]:
    """What makes a plan unusable, one sentence each (obs/checks/slo.py adds positions)."""
    out = []
    if p.interval >= LOOKBACK:
        out.append(f"the evaluation interval {fmt(p.interval)} is not shorter than Prometheus's 5m lookback")
    if p.base < p.interval:
        out.append(f"the base window {fmt(p.base)} is shorter than the evaluation interval {fmt(p.interval)}")
    if p.base < SCRAPES_PER_RATE * p.scrape:
        out.append(f"the base window {fmt(p.base)} holds fewer than {SCRAPES_PER_RATE} scrapes at the scrape "
                   f"interval {fmt(p.scrape)}: rate() over it is empty or misses samples (it needs "
                   f"{fmt(SCRAPES_PER_RATE * p.scrape)} or more)")
    base = _base_text(p)
    for pair in p.pairs:
        if pair.long < p.base:
            out.append(f"the {pair.tier} pair's long window scales to {fmt(pair.long)}, shorter than {base}")
        if pair.short >= pair.long and pair.scaled_short is not None and pair.long >= p.base:
            out.append(f"the {pair.tier} pair's short window scales to {fmt(pair.scaled_short)}; read at {base} "
                       f"it is not shorter than its long window {fmt(pair.long)}")
        elif pair.short >= pair.long and pair.scaled_short is None:
            out.append(f"the {pair.tier} pair's short window {fmt(pair.short)} is not shorter than its long "
                       f"window {fmt(pair.long)}")
    return out


def _base_text(p: Plan) -> str:
    """The base window, with why it is that long when the scrape interval set it."""
    if p.base == rate_floor(p.scrape, p.interval) and p.base > p.tile_base:
        return (f"the base window {fmt(p.base)} ({SCRAPES_PER_RATE} × the scrape interval {fmt(p.scrape)}, "
                "the shortest window rate() can read)")
    return f"the base recording window {fmt(p.base)}"


def fmt(value: float) -> str:
    return format_seconds(value)


def fmt_num(value: float) -> str:
    """Seconds as a plain number for PromQL arithmetic: 3600, 70."""
    return f"{value:g}" if value != int(value) else str(int(value))


def human(value: float | None) -> str:
    """A duration for people: 51.8s, 14m, 2h30m, never."""
    if value is None:
        return "never"
    if value < 60:
        return f"{value:.3g}s"
    return format_seconds(round(value / 60) * 60 if value < 86400 else round(value / 3600) * 3600)
