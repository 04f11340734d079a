"""Tiles and the open tile (docs/slo.md "Windows"): long windows sum tiles recorded once per
tile, and the period adds the open tile — the part since the last boundary, kept as a running
sum each evaluation adds its base sample to — so the period ratio and budget exist from the
first evaluation and cover exactly the window once it is full, reading a handful of samples
more than the tiles themselves. The window coverage is a running share of the window.

A running sum reads its own previous sample (within Prometheus's 5m lookback; the interval is
under 5m, SL003): after a gap of more than 5m it starts again from 0, losing the part of its
tile before the gap; the coverage starts again from 0 too, so it may understate what the sums
hold, never overstate it.
"""

from __future__ import annotations

from obs import slo as policy
from obs.catalog import SLOEntry
from obs.rulegen import Rule

ERROR_TILE = "slo:sli_error_events:sum{w}"
TOTAL_TILE = "slo:sli_total_events:sum{w}"
#: the open tile: the sum of base samples since the tile's last boundary, 0 at the boundary
ERROR_OPEN = "slo:sli_error_events:open{w}"
TOTAL_OPEN = "slo:sli_total_events:open{w}"
#: seconds of data the period sums hold / the period: 0 just after deployment, 1 once full
COVERAGE = "slo:sli_window_coverage:ratio{w}"  # the window in the name: pint tells 7d from 90d by it


def selector(entry: SLOEntry, record: str) -> str:
    return f'{record}{{service="{entry.service}", slo="{entry.name}"}}'


def _boundary(size: float, plan: policy.Plan) -> str:
    """True in the one evaluation of each tile's first interval."""
    return f"on() (vector(time()) % {policy.fmt_num(size)} < {policy.fmt_num(plan.interval)})"


def _running(entry: SLOEntry, own: str, sample: str, zero: str, size: float, plan: policy.Plan) -> tuple[str, str]:
    """(tile, open) expressions: the tile is the open sum so far plus this sample, recorded at
    the boundary; the open sum restarts at 0 there (× 0 at the boundary, × 1 elsewhere). `own`
    is read before it is written: the previous evaluation's value (none after a 5m gap: 0)."""
    grown = f"{sample} + ({selector(entry, own)} or {zero})"
    after = f"on() group_left() (vector(time()) % {policy.fmt_num(size)} >= bool {policy.fmt_num(plan.interval)})"
    return f"({grown}) and {_boundary(size, plan)}", f"({grown}) * {after}"


def rules(entry: SLOEntry, plan: policy.Plan, labels: dict[str, str], e_sel: str, t_sel: str) -> list[Rule]:
    """The tiles and open tiles (when a window is tiled). A tile is the open sum of the previous
    evaluation plus the boundary's sample: 3 samples read instead of sum_over_time's 60, and
    exactly what the open sums held (`unrolled` keeps the sum_over_time form for obs backtest)."""
    if not any(plan.tiled(w) for w in plan.windows):
        return []
    tile, zero, at = policy.fmt(plan.tile), f"{t_sel} * 0", f"and {_boundary(plan.tile, plan)}"
    tiles, opens = [], []
    for tile_rec, open_rec, sel in ((ERROR_TILE, ERROR_OPEN, e_sel), (TOTAL_TILE, TOTAL_OPEN, t_sel)):
        tile_expr, open_expr = _running(entry, open_rec.format(w=tile), sel, zero, plan.tile, plan)
        tiles.append(Rule(expr=tile_expr, record=tile_rec.format(w=tile), labels=labels, origin=entry.origin,
                          unrolled=f"sum_over_time({sel}[{tile}]) {at}"))
        opens.append(_record(entry, open_rec.format(w=tile), open_expr, labels))
    return tiles + opens  # both tiles first: a tile reads the open sum of the previous evaluation


def window_sum(entry: SLOEntry, plan: policy.Plan, tile_rec: str, open_rec: str, zero: str, size: float,
               window: float) -> str:
    """Σ tiles over the window + the open tile − the open tile a window ago: exactly the base
    samples of the window (the oldest tile's part before the window is what the open sum held
    then). Before the window is full the terms that do not exist yet are 0."""
    t, o = selector(entry, tile_rec.format(w=policy.fmt(size))), selector(entry, open_rec.format(w=policy.fmt(size)))
    # tiles in (t - window, t]: a tile at t - window is the one before the window (its open sum
    # is 0 then); Prometheus 2 closes ranges at the start, 3 does not, and 1s less is both
    inside, name = policy.fmt(window - 1), plan.name(window)
    return f"((sum_over_time({t}[{inside}]) or {zero}) + {o} - ({o} offset {name} or {zero}))"


def period_sums(entry: SLOEntry, plan: policy.Plan, e_sel: str, t_sel: str) -> tuple[str, str]:
    """The period's error and total sums (a tiled period)."""
    zero = f"{t_sel} * 0"
    return (window_sum(entry, plan, ERROR_TILE, ERROR_OPEN, zero, plan.tile, plan.period),
            window_sum(entry, plan, TOTAL_TILE, TOTAL_OPEN, zero, plan.tile, plan.period))


def coverage_rules(entry: SLOEntry, plan: policy.Plan, labels: dict[str, str], t_sel: str) -> list[Rule]:
    """The share of the period the sums hold: each evaluation with data adds its interval, capped
    at 1 — one rule of 3 selectors (pint's cost grows with both), exact while the data runs on."""
    record = COVERAGE.format(w=plan.name(plan.period))
    own = selector(entry, record)
    step = f"{policy.fmt_num(plan.interval)} / {policy.fmt_num(plan.period)}"
    return [_record(entry, record, f"clamp_max(({own} or {t_sel} * 0) + {t_sel} * 0 + {step}, 1)", labels)]


def _record(entry: SLOEntry, record: str, expr: str, labels: dict[str, str]) -> Rule:
    return Rule(expr=expr, record=record, labels=labels, origin=entry.origin)
