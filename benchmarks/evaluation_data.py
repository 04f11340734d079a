"""The pure parts of benchmarks/evaluation_cost.py: uneven synthetic traffic, the exact count
ratio over a window, the three tools' inputs for the same SLOs, and which recordings need
history (so only those are backfilled, in dependency order)."""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from pathlib import Path

DAY = 1440  # minutes
#: the raw series each SLO reads: one job, a 2xx and a 5xx counter
METRIC = "http_requests_total"


@dataclass
class Traffic:
    """Cumulative counters per SLO at one sample a minute: total[i][k], errors[i][k] at minute k
    (both start at 0), so any window's exact ratio is a difference of two samples."""

    total: list[list[int]]
    errors: list[list[int]]

    @property
    def minutes(self) -> int:
        return len(self.total[0]) - 1


def generate_traffic(slos: int, minutes: int, seed: int = 18) -> Traffic:
    """Diurnal shape (each SLO its own phase and size), bursts of 2–5× for 10–60 min, a base
    error ratio that rises with load, and error incidents of 2–10% for 5–30 min; deterministic.
    Uneven on purpose: an average of short-window ratios is then not the ratio of counts."""
    totals, errors = [], []
    for i in range(slos):
        rng = random.Random(seed * 100_003 + i)
        per_min = 60 * rng.uniform(5, 200)
        phase, p_base = rng.uniform(0, 2 * math.pi), rng.uniform(0.0002, 0.002)
        burst_left = incident_left = 0
        burst_x, incident_p = 1.0, 0.0
        t = e = 0
        tot, err = [0], [0]
        for k in range(minutes):
            if burst_left == 0 and rng.random() < 1 / 720:
                burst_left, burst_x = rng.randint(10, 60), rng.uniform(2, 5)
            if incident_left == 0 and rng.random() < 1 / 1500:
                incident_left, incident_p = rng.randint(5, 30), rng.uniform(0.02, 0.1)
            shape = 1 + 0.8 * math.sin(2 * math.pi * k / DAY + phase)
            load = shape * (burst_x if burst_left else 1.0)
            n = int(per_min * load + rng.random())
            p = incident_p if incident_left else p_base * (0.5 + load)
            t += n
            e += min(n, int(n * p + rng.random()))
            tot.append(t)
            err.append(e)
            burst_left, incident_left = max(0, burst_left - 1), max(0, incident_left - 1)
        totals.append(tot)
        errors.append(err)
    return Traffic(totals, errors)


def _at(series: list[int], m: float) -> float:
    """The counter at fractional minute m (linear between samples, clamped to the data)."""
    m = min(max(m, 0.0), len(series) - 1)
    k = int(m)
    if k == len(series) - 1:
        return float(series[k])
    return series[k] + (m - k) * (series[k + 1] - series[k])


def exact_ratio(traffic: Traffic, slo: int, start_min: float, end_min: float) -> float:
    """errors / total counted over (start_min, end_min] from the raw counters: what
    increase(errors[w]) / increase(total[w]) would be without extrapolation."""
    total = _at(traffic.total[slo], end_min) - _at(traffic.total[slo], start_min)
    errs = _at(traffic.errors[slo], end_min) - _at(traffic.errors[slo], start_min)
    return errs / total if total > 0 else 0.0


def series_lines(traffic: Traffic, slo: int, m: float) -> list[str]:
    """Text-format lines of one SLO's two counters at fractional minute m (the live exporter)."""
    t, e = _at(traffic.total[slo], m), _at(traffic.errors[slo], m)
    labels = f'job="svc-{slo}",instance="bench"'
    return [f'{METRIC}{{{labels},code="200"}} {t - e:.3f}', f'{METRIC}{{{labels},code="500"}} {e:.3f}']


def write_openmetrics(path: Path, traffic: Traffic, start: int, minutes: int | None = None) -> int:
    """The history as OpenMetrics for `promtool tsdb create-blocks-from openmetrics`: sample k
    at start + 60k (seconds), series after series. Returns the number of samples."""
    n = 0
    last = traffic.minutes if minutes is None else minutes
    with path.open("w") as f:
        f.write(f"# TYPE {METRIC[:-6]} counter\n")
        for i in range(len(traffic.total)):
            tot, err = traffic.total[i], traffic.errors[i]
            for code, values in (("200", [a - b for a, b in zip(tot, err)]), ("500", err)):
                head = f'{METRIC}{{job="svc-{i}",instance="bench",code="{code}"}} '
                f.writelines(f"{head}{values[k]} {start + 60 * k}\n" for k in range(last + 1))
                n += last + 1
        f.write("# EOF\n")
    return n


# --- the same SLOs for the three tools: 99.9% of svc-i's requests answer without a 5xx, 30d

OBS_PROJECT = """apiVersion: obs/v1
kind: Project
metadata: {name: bench}
spec:
  sources: ["slos/*.yaml"]
  targets: [prometheus]
"""
OBS_SERVICE = """apiVersion: obs/v1
kind: Service
metadata: {{name: svc-{i}, team: team-{team}}}
spec:
  slos:
    - name: availability
      objective: 99.9
      window: 30d
      sli:
        ratio:
          errors: {m}{{job="svc-{i}", code=~"5.."}}
          total: {m}{{job="svc-{i}"}}
"""
SLOTH_SPEC = """version: prometheus/v1
service: svc-{i}
labels:
  team: team-{team}
slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        error_query: sum(rate({m}{{job="svc-{i}",code=~"5.."}}[{{{{.window}}}}]))
        total_query: sum(rate({m}{{job="svc-{i}"}}[{{{{.window}}}}]))
    alerting:
      name: Svc{i}HighErrorRate
      page_alert:
        labels: {{severity: critical}}
      ticket_alert:
        labels: {{severity: warning}}
"""
PYRRA_SLO = """apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: svc-{i}-availability
  namespace: monitoring
  labels:
    team: team-{team}
spec:
  target: "99.9"
  window: 30d
  indicator:
    ratio:
      errors:
        metric: {m}{{job="svc-{i}",code=~"5.."}}
      total:
        metric: {m}{{job="svc-{i}"}}
"""

#: per tool: PromQL of the period error ratio it records, the recording it comes from (whose
#: timestamp is the evaluation the value belongs to), and the label naming the SLO's service
PERIOD_RATIO = {
    "obs": ("slo:sli_error:ratio_rate30d", "slo:sli_error:ratio_rate30d", "service"),
    "sloth": ("slo:sli_error:ratio_rate30d", "slo:sli_error:ratio_rate30d", "sloth_service"),
    "pyrra": ('sum by (job) (http_requests:increase30d{code=~"5.."}) / sum by (job) (http_requests:increase30d)',
              "http_requests:increase30d", "job"),
}


def write_inputs(root: Path, slos: int) -> dict[str, Path]:
    """obs project, Sloth specs and Pyrra CRDs for the same SLOs, under root/<tool>."""
    dirs = {tool: root / tool for tool in ("obs", "sloth", "pyrra")}
    (dirs["obs"] / "slos").mkdir(parents=True)
    dirs["sloth"].mkdir()
    dirs["pyrra"].mkdir()
    (dirs["obs"] / "obs.yaml").write_text(OBS_PROJECT)
    for i in range(slos):
        args = {"i": i, "team": i % 10, "m": METRIC}
        (dirs["obs"] / "slos" / f"svc-{i}.yaml").write_text(OBS_SERVICE.format(**args))
        (dirs["sloth"] / f"svc-{i}.yaml").write_text(SLOTH_SPEC.format(**args))
        (dirs["pyrra"] / f"svc-{i}.yaml").write_text(PYRRA_SLO.format(**args))
    return dirs


# --- which recordings need history

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
RANGE_READ = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{[^}]*\})?\s*\[")


def _reads(expr: str, recorded: set[str]) -> set[str]:
    return {m for m in NAME.findall(re.sub(r'"[^"]*"', '""', expr)) if m in recorded}


def backfill_levels(groups: list[dict]) -> list[list[dict]]:
    """The recording rules some rule reads over a range (`name{…}[w]`), and what they read in
    turn, in dependency levels: level n reads only levels < n, so each level is backfilled with
    `promtool tsdb create-blocks-from rules` once the one before is in the data (promtool cannot
    backfill a rule from another rule of the same run). Groups keep their name and interval."""
    recorded = {r["record"] for g in groups for r in g["rules"] if "record" in r}
    exprs = [str(r["expr"]) for g in groups for r in g["rules"]]
    needed = {m for e in exprs for m in RANGE_READ.findall(re.sub(r'"[^"]*"', '""', e)) if m in recorded}
    deps = {r["record"]: set() for g in groups for r in g["rules"] if "record" in r}
    for g in groups:
        for r in g["rules"]:
            if "record" in r:
                deps[r["record"]] |= _reads(str(r["expr"]), recorded) - {r["record"]}
    todo = list(needed)
    while todo:
        for d in deps[todo.pop()]:
            if d not in needed:
                needed.add(d)
                todo.append(d)
    level: dict[str, int] = {}

    def depth(name: str, seen: tuple = ()) -> int:
        if name not in level:
            if name in seen:
                raise ValueError(f"recording rules read each other in a cycle: {name}")
            level[name] = 1 + max((depth(d, seen + (name,)) for d in deps[name]), default=-1)
        return level[name]

    levels: list[list[dict]] = [[] for _ in range(1 + max((depth(n) for n in needed), default=-1))]
    for n, g in enumerate(groups):
        for lv, out in enumerate(levels):
            rules = [r for r in g["rules"] if r.get("record") in needed and level[r["record"]] == lv]
            if rules:
                out.append({**{k: v for k, v in g.items() if k != "rules"}, "name": f"{g['name']}-{n}", "rules": rules})
    return levels
