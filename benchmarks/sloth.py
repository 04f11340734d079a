"""obs compile beside `sloth generate` on the same Sloth prometheus/v1 specs, in one run
(issue 18): wall time and peak RSS of each whole process, median of 3, and the ratios.

    python3 benchmarks/sloth.py --specs 200 --slos 10      # 2,000 SLOs
    python3 benchmarks/sloth.py --specs 1000 --slos 10     # 10,000 SLOs
    python3 benchmarks/sloth.py --every-target             # + alerts, log alerts, every target
    python3 benchmarks/sloth.py --against ../wt-main       # + the obs of another checkout, same run

obs reads Sloth specs natively (obs/load/sloth.py), so both tools read the very same files.
Sloth is $SLOTH or ~/go/bin/sloth (v0.16.0: `go install github.com/slok/sloth/cmd/sloth@v0.16.0`).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

SPEC = """version: prometheus/v1
service: svc-{i}
labels:
  owner: team-{team}
slos:
{slos}"""

SLO = """  - name: requests-availability-{j}
    objective: 99.9
    description: svc-{i} /api/{j} answers without a 5xx.
    sli:
      events:
        error_query: sum(rate(http_requests_total{{job="svc-{i}",uri="/api/{j}",code=~"5.."}}[{{{{.window}}}}]))
        total_query: sum(rate(http_requests_total{{job="svc-{i}",uri="/api/{j}"}}[{{{{.window}}}}]))
    alerting:
      name: Svc{i}Api{j}HighErrorRate
      labels:
        category: availability
      annotations:
        summary: svc-{i} /api/{j} burns its error budget
      page_alert:
        labels:
          severity: critical
      ticket_alert:
        labels:
          severity: warning
"""

PROJECT = """apiVersion: obs/v1
kind: Project
metadata: {name: bench}
spec:
  sources: ["slos/*.yaml"]
  targets: [prometheus]
"""


def sloth_repo(root: Path, specs: int, slos: int) -> None:
    (root / "slos").mkdir(parents=True, exist_ok=True)
    (root / "obs.yaml").write_text(PROJECT)
    for i in range(specs):
        body = "".join(SLO.format(i=i, j=j) for j in range(slos))
        (root / "slos" / f"svc-{i}.yaml").write_text(SPEC.format(i=i, team=i % 20, slos=body))


#: CPU seconds (user + system) of the last process run() waited for: on a shared, loaded
#: machine wall time is mostly waiting for a core, CPU time is what the process itself spent
LAST_CPU: list[float] = []


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in KiB, exit code) of one whole process, via wait4's rusage."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    LAST_CPU.append(usage.ru_utime + usage.ru_stime)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        print(f"  {' '.join(args[:4])} … exit {proc.returncode}: {err.strip()[-400:]}", file=sys.stderr)
    return wall, usage.ru_maxrss, proc.returncode


def median(args: list[str], cwd: Path, runs: int, env: dict[str, str] | None = None,
           before: list[Path] = (), mkdir: list[Path] = ()) -> tuple[float, int, int]:
    walls, rss, code = [], [], 0
    LAST_CPU.clear()
    for _ in range(runs):
        for p in before:
            shutil.rmtree(p, ignore_errors=True)
        for p in mkdir:
            p.mkdir()  # sloth writes into a directory that exists
        wall, peak, code = run(args, cwd, env)
        walls.append(wall)
        rss.append(peak)
    cpu.append(statistics.median(LAST_CPU))
    return statistics.median(walls), int(statistics.median(rss)), code


#: median CPU seconds of each median() call, in call order
cpu: list[float] = []


def machine() -> str:
    model = ""
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"nproc {os.cpu_count()}, {model or platform.processor()}, Python {platform.python_version()}, "
            f"load average {load}")


#: the first (cold) compile is what is compared: no cache is read or written
NO_CACHE = ("--no-cache",)


def obs_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "obs", *args]


#: other checkouts of obs to time beside this one (--against), e.g. a worktree of main
AGAINST: list[Path] = []


def obs_env(repo: Path = REPO) -> dict[str, str]:
    """This checkout's obs (or `repo`'s); a cache folder of the caller's is not used."""
    env = dict(os.environ, PYTHONPATH=str(repo))
    env.pop("OBS_CACHE_DIR", None)
    return env


def checkout(repo: Path) -> str:
    """A checkout's commit, short."""
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return head.stdout.strip() or str(repo)


def sloth_version(sloth: str) -> str:
    """The module version Go recorded in the binary (`sloth version` says "dev" for go install)."""
    try:
        info = subprocess.run(["go", "version", "-m", sloth], capture_output=True, text=True).stdout
    except OSError:
        info = ""
    for line in info.splitlines():
        parts = line.split()
        if parts[:2] == ["mod", "github.com/slok/sloth"]:
            return parts[2]
    return subprocess.run([sloth, "version"], capture_output=True, text=True).stdout.strip()


def side_by_side(specs: int, slos: int, runs: int, sloth: str, lint: bool = False) -> None:
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        sloth_repo(root, specs, slos)
        version = sloth_version(sloth)
        s_wall, s_rss, s_code = median([sloth, "generate", "-i", "slos", "-o", "sloth-out"], root, runs,
                                       before=[root / "sloth-out"], mkdir=[root / "sloth-out"])
        o_wall, o_rss, o_code = median(obs_cmd("compile", *NO_CACHE), root, runs, env=obs_env(),
                                       before=[root / "out", root / ".obs"])
        s_cpu, o_cpu = cpu[-2:]
        print(f"| {specs * slos} SLOs ({specs} specs × {slos}) | sloth {version} generate | {s_wall:.2f} s | "
              f"{s_cpu:.2f} s | {s_rss / 1024:.0f} MiB | exit {s_code} |")
        print(f"| | obs compile (no cache) | {o_wall:.2f} s | {o_cpu:.2f} s | {o_rss / 1024:.0f} MiB | exit {o_code} |")
        print(f"| | ratio obs/sloth | {o_wall / s_wall:.2f}× | {o_cpu / s_cpu:.2f}× | {o_rss / s_rss:.2f}× | |")
        for other in AGAINST:
            a_wall, a_rss, a_code = median(obs_cmd("compile", *NO_CACHE), root, runs, env=obs_env(other),
                                           before=[root / "out", root / ".obs"])
            print(f"| | obs compile of {checkout(other)} | {a_wall:.2f} s | {cpu[-1]:.2f} s | {a_rss / 1024:.0f} MiB "
                  f"| exit {a_code} |")
            print(f"| | ratio {checkout(other)}/sloth | {a_wall / s_wall:.2f}× | {cpu[-1] / s_cpu:.2f}× | "
                  f"{a_rss / s_rss:.2f}× | |")
        if lint:
            l_wall, l_rss, l_code = median(obs_cmd("lint", *NO_CACHE), root, runs, env=obs_env())
            print(f"| | obs lint (no cache) | {l_wall:.2f} s | {cpu[-1]:.2f} s | {l_rss / 1024:.0f} MiB | exit {l_code} |")


def every_target(services: int, runs: int) -> None:
    """2,000 SLOs + 2,000 alerts + 400 log alerts (200 services × 10 SLOs, 10 alerts, 2 log
    alerts): every target on, against the same sources with only the prometheus target."""
    with tempfile.TemporaryDirectory() as d:
        every_root, prom_root = Path(d) / "every", Path(d) / "prom"
        generate(every_root, services, 5, "prometheus, grafana, elastalert, prometheus-operator",
                 alerts=10, log_alerts=2)
        generate(prom_root, services, 5, "prometheus", alerts=10, log_alerts=2)
        prom, p_rss, p_code = median(obs_cmd("compile", *NO_CACHE), prom_root, runs, env=obs_env(),
                                     before=[prom_root / "out", prom_root / ".obs"])
        every, e_rss, e_code = median(obs_cmd("compile", *NO_CACHE), every_root, runs, env=obs_env(),
                                      before=[every_root / "out", every_root / ".obs"])
        p_cpu, e_cpu = cpu[-2:]
        print(f"| {services * 10} SLOs, {services * 10} alerts, {services * 2} log alerts | obs compile, "
              f"prometheus only | {prom:.2f} s | {p_cpu:.2f} s | {p_rss / 1024:.0f} MiB | exit {p_code} |")
        print(f"| | obs compile, prometheus + grafana + elastalert + prometheus-operator | {every:.2f} s | "
              f"{e_cpu:.2f} s | {e_rss / 1024:.0f} MiB | exit {e_code} |")
        print(f"| | ratio every/prometheus-only | {every / prom:.2f}× | {e_cpu / p_cpu:.2f}× | {e_rss / p_rss:.2f}× | |")
        for other in AGAINST:
            rows = [median(obs_cmd("compile", *NO_CACHE), r, runs, env=obs_env(other), before=[r / "out", r / ".obs"])
                    for r in (prom_root, every_root)]
            (a_prom, a_prss, _), (a_every, a_erss, _) = rows
            print(f"| | {checkout(other)}: prometheus only / every target | {a_prom:.2f} s / {a_every:.2f} s | "
                  f"{cpu[-2]:.2f} s / {cpu[-1]:.2f} s | {a_prss / 1024:.0f} / {a_erss / 1024:.0f} MiB | |")
            print(f"| | {checkout(other)}: ratio every/prometheus-only | {a_every / a_prom:.2f}× | "
                  f"{cpu[-1] / cpu[-2]:.2f}× | {a_erss / a_prss:.2f}× | |")


def recompile(files: int, runs: int) -> None:
    """Re-compile after one file changed among `files` (one service a file, 2 SLOs each), with
    the document cache warm, beside the cold compile of the same repository."""
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        cache = root / "cache"
        generate(root / "repo", files, 1, "prometheus")
        env = dict(obs_env(), OBS_CACHE_DIR=str(cache))
        cold, _, c_code = median(obs_cmd("compile", *NO_CACHE), root / "repo", runs, env=env,
                                 before=[root / "repo" / "out"])
        run(obs_cmd("compile"), root / "repo", env)  # fills the cache
        walls, code = [], 0
        victim = root / "repo" / "services" / "svc-0.yaml"
        for n in range(runs):
            victim.write_text(re.sub(r"objective: [0-9.]+", f"objective: 99.{80 + n}", victim.read_text(), count=1))
            wall, _, code = run(obs_cmd("compile"), root / "repo", env)
            walls.append(wall)
        warm = statistics.median(walls)
        print(f"| {files} files, {files * 2} SLOs | obs compile, cold (--no-cache) | {cold:.2f} s | {cpu[-1]:.2f} s | | exit {c_code} |")
        print(f"| | obs compile after one file changed (cache warm) | {warm:.2f} s | | | exit {code} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--specs", type=int, nargs="*", default=[200, 1000], help="Sloth specs (one per service)")
    parser.add_argument("--slos", type=int, default=10, help="SLOs per spec")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lint", action="store_true", help="also time obs lint on the same specs")
    parser.add_argument("--every-target", action="store_true", help="also the every-target case (200 services)")
    parser.add_argument("--recompile", type=int, default=0, metavar="FILES",
                        help="also re-compile after one change among FILES files")
    parser.add_argument("--against", type=Path, action="append", default=[], metavar="CHECKOUT",
                        help="also time the obs of another checkout (a git worktree), one after the other")
    parser.add_argument("--sloth", default=os.environ.get("SLOTH", str(Path.home() / "go/bin/sloth")))
    args = parser.parse_args()
    AGAINST.extend(p.resolve() for p in args.against)
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {machine()}")
    print("| repository | tool | wall (median of %d) | CPU (user + sys) | peak RSS | |" % args.runs)
    print("|---|---|---|---|---|---|")
    for specs in args.specs:
        side_by_side(specs, args.slos, args.runs, args.sloth, args.lint)
    if args.every_target:
        every_target(200, args.runs)
    if args.recompile:
        recompile(args.recompile, args.runs)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
