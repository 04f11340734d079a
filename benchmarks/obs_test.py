"""Times `obs test` on examples/shop (generated SLO behaviour tests + the team's test, on
promtool) and prints the figure with the machine it ran on. `--against REV` also times the
obs of a git revision on the same repository in the same run, for a before/after pair.

    python3 benchmarks/obs_test.py                    # this checkout
    python3 benchmarks/obs_test.py --against b7a58cc  # and the obs of that commit, first

Wall time is what a person waits; CPU time (obs + every promtool it ran) is what the
machine spent, and says more than wall time when other work shares the cores."""

from __future__ import annotations

import argparse
import datetime
import io
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
SHOP = HERE / "examples" / "shop"


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in _run(["lscpu"]).splitlines()
                  if line.startswith("Model name")), platform.processor() or "?")
    mem = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    promtool = _run(["promtool", "--version"]).splitlines()[:1] or ["promtool ?"]
    return (f"{os.cpu_count()} cores (nproc {_run(['nproc']).strip()}), {model}, {mem / 2**20:.1f} GiB, "
            f"Python {platform.python_version()}, {promtool[0].strip()}")


def _run(args: list[str]) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True).stdout
    except OSError:
        return ""


def obs_test(source: Path, project: Path) -> tuple[float, float, int, str]:
    """(wall s, CPU s of obs and its promtool runs, exit code, last line) of one `obs test`."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "obs", "test"], cwd=project, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    last = (proc.stdout.strip().splitlines() or proc.stderr.strip().splitlines() or [""])[-1]
    return wall, cpu, proc.returncode, last


def revision(rev: str, into: Path) -> Path:
    """A git revision's tree (obs reads files beside its package), unpacked into `into`."""
    archive = subprocess.run(["git", "-C", str(HERE), "archive", rev], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def measure(label: str, source: Path, runs: int) -> str:
    with tempfile.TemporaryDirectory(prefix="obs-bench-") as d:
        project = Path(d) / "shop"
        shutil.copytree(SHOP, project, ignore=shutil.ignore_patterns("out"))
        figures = [obs_test(source, project) for _ in range(runs)]
    wall = statistics.median(f[0] for f in figures)
    cpu = statistics.median(f[1] for f in figures)
    codes = {f[2] for f in figures}
    return f"| {label} | {wall:.1f} s | {cpu:.1f} s | {figures[-1][3]}{'' if codes == {0} else f' (exit {codes})'} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", metavar="REV", help="also time the obs of this git revision (first)")
    parser.add_argument("--runs", type=int, default=1, help="runs of each, median reported (default 1)")
    args = parser.parse_args()
    head = _run(["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"]).strip() or "?"
    dirty = " + changes" if _run(["git", "-C", str(HERE), "status", "--porcelain", "obs"]).strip() else ""
    print(f"`obs test` on examples/shop, {datetime.date.today().isoformat()}, {machine()}")
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print()
    print("| obs | wall | CPU (obs + promtool) | last line |")
    print("|---|---|---|---|")
    if args.against:
        with tempfile.TemporaryDirectory(prefix="obs-rev-") as d:
            print(measure(f"`{args.against}`", revision(args.against, Path(d)), args.runs), flush=True)
    print(measure(f"`{head}`{dirty}", HERE, args.runs))
    print(f"\nload average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
