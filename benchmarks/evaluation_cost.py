"""Rule evaluation cost of obs, Sloth and Pyrra rules for the same SLOs in a real Prometheus
(issue 18), and how close each tool's recorded period error ratio is to the exact count ratio.

    python3 benchmarks/evaluation_cost.py                       # 10 SLOs × 4 days, ~11 min on 2 loaded cores
    python3 benchmarks/evaluation_cost.py --slos 100 --days 30  # the issue's size, ~7 h there (rule backfill)

D days of uneven traffic (benchmarks/evaluation_data.py) are backfilled with `promtool tsdb
create-blocks-from openmetrics`. Per tool: its rules are generated (`obs compile`, `sloth
generate`, `pyrra generate`), the recordings that other rules read over a range are backfilled
over the history (`create-blocks-from rules`, level by level, so obs's 1h tiles and Sloth's 5m
ratios exist for the 30d window), then Prometheus runs with the rules on a copy of the data,
scraping a live exporter that continues the traffic, for --measure seconds (all three at
once). Per group the median `evaluationTime` of /api/v1/rules over the evaluations after the
server's last compaction is summed; samples are each rule's `stats=all` totalQueryableSamples
at the end of the history; both are also given per minute
(each group at its own interval). Every server started here is stopped; the temp dir removed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import evaluation_data as data  # noqa: E402
from evaluation_servers import Exporter, Prometheus, measure, samples  # noqa: E402
from validate import _version as prometheus_version  # noqa: E402

SLOTH = os.environ.get("SLOTH", str(Path.home() / "go" / "bin" / "sloth"))
PYRRA = os.environ.get("PYRRA", str(REPO.parent / "shared" / "tools" / "pyrra"))
TOOLS = ("obs", "sloth", "pyrra")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def generate_rules(tool: str, src: Path, out: Path) -> list[Path]:
    out.mkdir(parents=True)
    if tool == "obs":
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        subprocess.run([sys.executable, "-m", "obs", "compile", "--no-cache"], cwd=src, env=env, check=True,
                       capture_output=True)
        for f in (src / "out" / "prometheus").glob("*.yaml"):
            shutil.copy(f, out)
    elif tool == "sloth":
        subprocess.run([SLOTH, "generate", "-i", str(src), "-o", str(out)], check=True, capture_output=True)
    else:
        subprocess.run([PYRRA, "generate", f"--config-files={src}/*.yaml", f"--prometheus-folder={out}"],
                       check=True, capture_output=True)
    return sorted(out.glob("*.y*ml"))


def load_groups(files: list[Path]) -> list[tuple[Path, dict]]:
    return [(f, g) for f in files for doc in yaml.safe_load_all(f.read_text()) if doc for g in doc["groups"]]


#: obs's tile: its open sum so far plus this sample, at the boundary — it reads itself, which
#: promtool's backfill cannot; backfilled as the sum of the tile's base samples it equals
SELF_READ_TILE = re.compile(r"^\((\S+\{[^}]*\}) \+ \(.*\)\) (and on\(\) \(vector\(time\(\)\) % (\d+) < \d+\))$", re.S)


def unrolled(rule: dict) -> dict:
    m = SELF_READ_TILE.match(" ".join(str(rule.get("expr", "")).split()))
    if "record" not in rule or not m:
        return rule
    return {**rule, "expr": f"sum_over_time({m.group(1)}[{m.group(3)}s]) {m.group(2)}"}


def backfill(work: Path, data_dir: Path, groups: list[dict], start: int, end: int) -> None:
    """Each dependency level's recordings over [start, end], into data_dir, one after another."""
    groups = [{**g, "rules": [unrolled(r) for r in g["rules"]]} for g in groups]
    for n, level in enumerate(data.backfill_levels(groups)):
        rules = work / f"backfill-{n}.yaml"
        rules.write_text(yaml.safe_dump({"groups": level}, sort_keys=False))
        blocks = work / f"blocks-{n}"
        prom = Prometheus(work, data_dir)
        try:
            t0 = time.time()
            subprocess.run(["promtool", "tsdb", "create-blocks-from", "rules", f"--start={start}", f"--end={end + 60}",
                            f"--url={prom.url}", f"--output-dir={blocks}", "--eval-interval=60s", "-q", str(rules)],
                           check=True, capture_output=True)
        finally:
            prom.stop()
        for b in blocks.iterdir():
            shutil.move(str(b), str(data_dir / b.name))
        log(f"  backfilled level {n}: {sum(len(g['rules']) for g in level)} rules in {time.time() - t0:.0f} s")


def period_errors(tool: str, prom: Prometheus, traffic: data.Traffic, clock) -> list[tuple[float, float]]:
    """(error vs the exact ratio up to the last scrape the value could read, vs the exact ratio
    up to the last whole hour before it) in %, per SLO. The value's time is its timestamp."""
    expr, recording, label = data.PERIOD_RATIO[tool]
    got = prom.get("/api/v1/query", query=expr)["data"]["result"]
    at = {r["metric"].get(label): float(r["value"][1]) for r in got}
    when = prom.get("/api/v1/query", query=f"max by ({label}) (timestamp({recording}))")["data"]["result"]
    stamp = {r["metric"].get(label): float(r["value"][1]) for r in when}
    raw = prom.get("/api/v1/query", query=f'{data.METRIC}{{job="svc-0",code="200"}}[30m]')["data"]["result"]
    scrapes = sorted(float(v[0]) for r in raw for v in r["values"])
    out = []
    for i in range(len(traffic.total)):
        svc = f"svc-{i}"
        if svc not in at:
            out.append((float("nan"), float("nan")))
            continue
        t = max([s for s in scrapes if s <= stamp.get(svc, time.time())], default=stamp.get(svc, time.time()))
        errs = []
        for end in (t, t - t % 3600):
            exact = data.exact_ratio(traffic, i, clock(end - 30 * 86400), clock(end))
            errs.append(100 * abs(at[svc] - exact) / exact if exact else float("nan"))
        out.append(tuple(errs))
    return out


def prepare(tool: str, work: Path, src: Path, raw: Path, span: tuple[int, int]) -> tuple[list[Path], Path]:
    """The tool's rule files and its own copy of the data with their history backfilled."""
    files = generate_rules(tool, src, work / "rules")
    data_dir = work / "data"
    shutil.copytree(raw, data_dir)
    backfill(work, data_dir, [g for _, g in load_groups(files)], *span)
    return files, data_dir


def live(prepared: dict[str, tuple[list[Path], Path]], root: Path, traffic: data.Traffic, span: tuple[int, int],
         wait: float) -> dict[str, dict]:
    """Every tool's Prometheus at once (each its exporter continuing the traffic), so all are
    measured under the same machine load; then samples and period ratios; all stopped."""
    start, end = span
    exporters, proms = {}, {}
    try:
        for tool, (files, data_dir) in prepared.items():
            exporters[tool] = Exporter(traffic, (end - start) // 60)
            proms[tool] = Prometheus(root / tool, data_dir, files, exporters[tool].address)
        log(f"live: {', '.join(proms)} running; measuring for {wait:.0f} s")
        results = measure(proms, wait)
        for tool, got in results.items():
            got["samples"] = samples(proms[tool], got["info"], end)
            exporter = exporters[tool]
            got["period"] = period_errors(tool, proms[tool], traffic,
                                          lambda t, x=exporter: (t - start) / 60 if t <= end else x.minute(t))
        return results
    finally:
        for prom in proms.values():
            prom.stop()
        for exporter in exporters.values():
            exporter.stop()


def summary(got: dict) -> dict:
    per_min = {k: 60 / g["interval"] for k, g in got["info"].items()}
    return {
        "groups": len(got["info"]), "rules": sum(len(g["rules"]) for g in got["info"].values()),
        "time": sum(got["groups"].values()),
        "time_min": sum(v * per_min[k] for k, v in got["groups"].items()),
        "samples": sum(got["samples"].values()),
        "samples_min": sum(v * per_min[k[:2]] for k, v in got["samples"].items()),
        "evals": min(got["evaluations"].values(), default=0),
        "err": [e for e, _ in got["period"]], "err_hour": [h for _, h in got["period"]],
    }


def by_name(got: dict) -> list[tuple[str, float, int]]:
    """(record or alert name, evaluation s per minute, samples per minute), costliest first."""
    acc: dict[str, list[float]] = {}
    for key, g in got["info"].items():
        for n, r in enumerate(g["rules"]):
            a = acc.setdefault(r["name"], [0.0, 0.0])
            a[0] += got["rules"].get(key + (n,), 0.0) * 60 / g["interval"]
            a[1] += got["samples"].get(key + (n,), 0) * 60 / g["interval"]
    return sorted(((k, v[0], int(v[1])) for k, v in acc.items()), key=lambda x: -x[1])


def versions() -> dict[str, str]:
    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
        except OSError:
            return ""
    sloth = next((ln.split()[2] for ln in out(["go", "version", "-m", SLOTH]).splitlines()
                  if ln.split()[:2] == ["mod", "github.com/slok/sloth"]), "v0.16.0 (go version -m unavailable)")
    return {"obs": out([sys.executable, "-m", "obs", "--version"]).strip() or "?", "sloth": sloth,
            "pyrra": "v0.10.1 (../shared/tools/README.md; the binary says dev)",
            "prometheus": prometheus_version()}


def fmt_err(errs: list[float]) -> str:
    ok = [e for e in errs if e == e]
    if not ok:
        return "absent"
    missing = f", {len(errs) - len(ok)} absent" if len(ok) < len(errs) else ""
    return f"{statistics.mean(ok):.3f} / {max(ok):.3f}{missing}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--slos", type=int, default=10)
    ap.add_argument("--days", type=int, default=4)
    ap.add_argument("--measure", type=float, default=240, help="seconds the live servers run (default 240)")
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--keep", type=Path, help="work in this (new) folder and leave it")
    args = ap.parse_args()
    tools = [t for t in args.tools.split(",") if t]
    need = {"prometheus": shutil.which("prometheus"), "promtool": shutil.which("promtool")}
    need.update({SLOTH: shutil.which(SLOTH)} if "sloth" in tools else {})
    need.update({PYRRA: shutil.which(PYRRA)} if "pyrra" in tools else {})
    missing = [name for name, path in need.items() if not path]
    if missing or not set(tools) <= set(TOOLS):
        raise SystemExit(f"evaluation_cost: not found: {', '.join(missing) or 'a tool of ' + args.tools}; "
                         "hint: --tools obs,sloth,pyrra; $SLOTH, $PYRRA name the binaries")
    work = args.keep or Path(tempfile.mkdtemp(prefix="obs-bench-evalcost-"))
    work.mkdir(parents=True, exist_ok=True)
    began, load0 = time.time(), os.getloadavg()
    try:
        # the history ends on an hour, so its last 1h tile (obs) is recorded by the backfill; the
        # live exporters resume the traffic from there when the servers start (no traffic between)
        end = int(time.time()) // 3600 * 3600
        minutes = args.days * data.DAY
        start = end - 60 * minutes
        traffic = data.generate_traffic(args.slos, minutes + 6 * 60)  # 6h of live traffic after the history
        samples_n = data.write_openmetrics(work / "series.om", traffic, start, minutes)
        subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(work / "series.om"),
                        str(work / "raw")], check=True, capture_output=True)
        (work / "series.om").unlink()
        log(f"backfilled {samples_n} samples ({args.slos} SLOs × {args.days} d) in {time.time() - began:.0f} s")
        srcs = data.write_inputs(work / "inputs", args.slos)
        prepared = {}
        for tool in tools:
            t0 = time.time()
            prepared[tool] = prepare(tool, work / tool, srcs[tool], work / "raw", (start, end))
            log(f"{tool}: rules generated and backfilled in {time.time() - t0:.0f} s")
        got = live(prepared, work, traffic, (start, end), args.measure)
        results = {tool: summary(got[tool]) for tool in tools}
        if "obs" in got:
            results["obs"]["top"] = by_name(got["obs"])
        report(args, results, versions(), load0, began)
    except subprocess.CalledProcessError as e:
        out = (e.stderr or b"").decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
        raise SystemExit(f"evaluation_cost: {' '.join(map(str, e.cmd[:4]))} … exited {e.returncode}: {out.strip()[-600:]}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def report(args, results: dict, vers: dict, load0, began: float) -> None:
    load1 = os.getloadavg()
    print(f"\n{args.slos} SLOs × {args.days} days, measured {args.measure:.0f} s per tool; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(began))}; whole run {time.time() - began:.0f} s")
    print(f"load average at start {' '.join(f'{x:.2f}' for x in load0)}, at end {' '.join(f'{x:.2f}' for x in load1)}"
          f" (`uptime`: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()})")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in vers.items()) + "\n")
    base = results.get("obs")
    print("| tool | groups / rules | group time per round | × obs | per minute | × obs | samples per round"
          " | × obs | per minute | × obs | period ratio error %, mean / max | vs last whole hour |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for tool, r in results.items():
        def x(key):
            return f"{r[key] / base[key]:.2f}×" if base and base[key] else "–"
        print(f"| {tool} | {r['groups']} / {r['rules']} | {1000 * r['time']:.1f} ms | {x('time')} | "
              f"{1000 * r['time_min']:.1f} ms | {x('time_min')} | {r['samples']:,} | {x('samples')} | "
              f"{int(r['samples_min']):,} | {x('samples_min')} | {fmt_err(r['err'])} | {fmt_err(r['err_hour'])} |")
    print("\nevaluations used per group (the fewest; those after the server's last compaction): "
          + ", ".join(f"{tool} {r['evals']}" for tool, r in results.items()))
    if base and "top" in base:
        print("\nobs, per rule name, costliest first (summed over SLOs, per minute):\n\n| rule | evaluation time | samples |\n|---|---|---|")
        for name, t, s in base["top"]:
            print(f"| {name} | {1000 * t:.1f} ms | {s:,} |")


if __name__ == "__main__":
    main()
