"""`obs lint` of a large Sloth repository beside `sloth validate` on the same files, in one
run (issue 18): cold (--no-cache), with the caches warm and nothing changed, and after one
file changed (document cache warm, whole-build cache missed).

    python3 benchmarks/lint.py                      # 10,000 SLOs: 1,000 Sloth specs × 10
    python3 benchmarks/lint.py --specs 200 --runs 3

Whole processes, median of --runs; the load average is printed at the start and the end.
"""

from __future__ import annotations

import argparse
import re
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sloth import machine, obs_cmd, obs_env, sloth_repo, sloth_version  # noqa: E402


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, int, int]:
    """(wall s, CPU s (user + system), peak RSS KiB, exit code) of one whole process: on a
    shared machine the CPU time is the steadier figure."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        print(f"  {' '.join(args[:4])} … exit {code}: {proc.stderr.read().decode(errors='replace')[-400:]}",
              file=sys.stderr)
    proc.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, code


def median(args: list[str], cwd: Path, runs: int, env: dict[str, str] | None = None, before=(),
           each=None) -> tuple[float, float, int, int]:
    """Medians of `runs` runs; `before` folders are removed and `each(k)` called before each."""
    import shutil
    got = []
    for k in range(runs):
        for p in before:
            shutil.rmtree(p, ignore_errors=True)
        if each:
            each(k)
        got.append(run(args, cwd, env))
    return (statistics.median(g[0] for g in got), statistics.median(g[1] for g in got),
            int(statistics.median(g[2] for g in got)), got[-1][3])


def table(title: str, runs: int, rows: list) -> None:
    print(f"| {title} | wall (median of {runs}) | CPU | peak RSS | exit |")
    print("|---|---|---|---|---|")
    for name, (wall, cpu, rss, code) in rows:
        print(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {rss / 1024:.0f} MiB | {code} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--specs", type=int, default=1000)
    parser.add_argument("--slos", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sloth", default=os.environ.get("SLOTH", str(Path.home() / "go/bin/sloth")))
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {machine()}")
    with tempfile.TemporaryDirectory() as d:
        root = Path(d) / "repo"
        sloth_repo(root, args.specs, args.slos)
        env = dict(obs_env(), OBS_CACHE_DIR=str(Path(d) / "cache"))
        n = args.specs * args.slos
        rows = []
        if Path(args.sloth).is_file():
            rows.append((f"sloth {sloth_version(args.sloth)} validate",
                         median([args.sloth, "validate", "-i", "slos"], root, args.runs)))
        rows.append(("obs lint --no-cache (cold)", median(obs_cmd("lint", "--no-cache"), root, args.runs, env=env)))
        run(obs_cmd("lint"), root, env)  # fills both caches
        rows.append(("obs lint, caches warm, nothing changed", median(obs_cmd("lint"), root, args.runs, env=env)))
        victim = root / "slos" / "svc-0.yaml"

        def edit(k: int) -> None:
            # a different objective each time (99.80, 99.81, …): every run sees a changed file
            victim.write_text(re.sub(r"objective: [0-9.]+", f"objective: 99.{80 + k}", victim.read_text(), count=1))
        rows.append(("obs lint after one file changed (document cache warm)",
                     median(obs_cmd("lint"), root, args.runs, env=env, each=edit)))
        table(f"{args.specs * args.slos} SLOs ({args.specs} specs × {args.slos})", args.runs, rows)
    print(f"load average at end: {load()}")


if __name__ == "__main__":
    main()
