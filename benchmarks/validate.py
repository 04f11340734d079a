"""`obs validate` at scale on a real Prometheus, beside pint on the same rules.

Backfills SERIES series (`promtool tsdb create-blocks-from openmetrics`) into a fresh data
dir, starts Debian's Prometheus on it, writes an obs project of RULES alert rules over those
series (1% with a misspelt metric), compiles it (pint lints the compiled rule files), then runs
`obs validate --target prometheus` and `pint lint` against the server. Requests are counted
the same way for both tools: Prometheus's own `prometheus_http_requests_total` before/after.

    python3 benchmarks/validate.py [--services 1000] [--pint ../shared/tools/pint] [--keep DIR]

Figures, not pass/fail: paste the table into benchmarks/README.md with the date and machine.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.live.servers import Prometheus  # noqa: E402

ROUTES, BUCKETS = 10, ("0.1", "0.25", "0.5", "1", "2.5", "+Inf")  # 100 series per service
ALERTS = (
    'sum(rate(app_requests_total{{service="{s}", status="500"}}[5m])) / sum(rate(app_requests_total{{service="{s}"}}[5m])) > 0.05',
    'sum(rate(app_requests_total{{service="{s}", status="500"}}[1h])) / sum(rate(app_requests_total{{service="{s}"}}[1h])) > 0.01',
    'histogram_quantile(0.99, sum by (le) (rate(app_latency_seconds_bucket{{service="{s}"}}[5m]))) > 1',
    'histogram_quantile(0.9, sum by (le, route) (rate(app_latency_seconds_bucket{{service="{s}"}}[5m]))) > 0.5',
    'sum by (route) (rate(app_requests_total{{service="{s}", route="/r1"}}[5m])) < 0.1',
    'sum(rate(app_latency_seconds_sum{{service="{s}"}}[5m])) / sum(rate(app_latency_seconds_count{{service="{s}"}}[5m])) > 0.3',
    'absent(app_requests_total{{service="{s}"}})',
    'sum by (status) (increase(app_requests_total{{service="{s}"}}[1h])) > 1e6',
    'rate(app_requests_total{{service="{s}", route="/r{r}", status="200"}}[10m]) == 0',
    'sum(rate(app_requests_total{{service="{s}", status=~"5.."}}[5m])) > 10',
)
TYPO = 'sum(rate(app_request_total{{service="{s}"}}[5m])) > 10'  # every 100th service: no such metric


def openmetrics(path: Path, services: int, now: float) -> int:
    """SERIES = services × 100 series, three samples each (now-10m, now-5m, now)."""
    stamps = [now - 600, now - 300, now]
    n = 0
    with path.open("w") as f:
        f.write("# TYPE app_requests counter\n")
        for i in range(services):
            for r in range(ROUTES):
                for status in ("200", "500"):
                    for k, ts in enumerate(stamps):
                        f.write(f'app_requests_total{{service="svc-{i}",route="/r{r}",status="{status}"}} '
                                f'{(k + 1) * (10 if status == "200" else 1)} {ts:.3f}\n')
                    n += 1
        f.write("# TYPE app_latency_seconds histogram\n")
        for i in range(services):
            for r in range(ROUTES):
                labels = f'service="svc-{i}",route="/r{r}"'
                for k, ts in enumerate(stamps):
                    for j, le in enumerate(BUCKETS):
                        f.write(f'app_latency_seconds_bucket{{{labels},le="{le}"}} {(k + 1) * (j + 1)} {ts:.3f}\n')
                    f.write(f"app_latency_seconds_count{{{labels}}} {(k + 1) * len(BUCKETS)} {ts:.3f}\n")
                    f.write(f"app_latency_seconds_sum{{{labels}}} {(k + 1) * 1.5} {ts:.3f}\n")
                n += len(BUCKETS) + 2
        f.write("# EOF\n")
    return n


def project(root: Path, services: int) -> int:
    (root / "services").mkdir(parents=True)
    (root / "obs.yaml").write_text(
        "apiVersion: obs/v1\nkind: Project\nmetadata: {name: bench}\nspec:\n  sources: [\"services/*.yaml\"]\n"
        "  targets: [prometheus]\n  environments:\n    bench:\n      prometheus: {url: {env: OBS_PROMETHEUS_URL}}\n")
    rules = 0
    for i in range(services):
        alerts = []
        for k, template in enumerate(ALERTS):
            expr = (TYPO if k == 9 and i % 100 == 0 else template).format(s=f"svc-{i}", r=i % ROUTES)
            alerts.append(f"    - name: Svc{i}Alert{k}\n      expr: '{expr}'\n      severity: warning\n"
                          f"      summary: alert {k} of svc-{i}\n")
            rules += 1
        (root / "services" / f"svc-{i}.yaml").write_text(
            f"apiVersion: obs/v1\nkind: Service\nmetadata: {{name: svc-{i}, team: team-{i % 20}}}\nspec:\n"
            "  dashboards: []\n  alerts:\n" + "".join(alerts))
    return rules


def served(url: str) -> int:
    """API requests Prometheus has answered (its own counter; /metrics itself left out)."""
    text = urllib.request.urlopen(url + "/metrics", timeout=30).read().decode()
    return int(sum(float(m[2]) for m in re.finditer(r'^prometheus_http_requests_total\{(.*)\} (\S+)$', text, re.M)
                   if 'handler="/metrics"' not in m[1]))


def run(cmd: list[str], url: str, cwd: Path, env: dict | None = None) -> tuple[float, int, str]:
    before = served(url)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    return wall, served(url) - before, proc.stdout + proc.stderr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--services", type=int, default=1000, help="100 series and 10 rules each (default 1000)")
    ap.add_argument("--pint", default=os.environ.get("PINT", str(REPO.parent / "shared" / "tools" / "pint")))
    ap.add_argument("--keep", type=Path, help="work in this folder and leave it")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="obs-bench-validate-"))
    work.mkdir(parents=True, exist_ok=True)
    now = time.time()
    t0 = time.perf_counter()
    series = openmetrics(work / "series.om", args.services, now)
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(work / "series.om"), str(data)],
                   check=True, capture_output=True)
    print(f"backfilled {series} series in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    root = work / "repo"
    shutil.rmtree(root, ignore_errors=True)
    rules = project(root, args.services)
    subprocess.run([sys.executable, "-m", "obs", "compile"], cwd=root, check=True, capture_output=True)
    prom = Prometheus().start(data=data)
    try:
        env = {**os.environ, "OBS_PROMETHEUS_URL": prom.url, "PYTHONPATH": str(REPO), "OBS_NO_PROGRESS": "1"}
        wall, requests, out = run([sys.executable, "-m", "obs", "validate", "--env", "bench", "--target",
                                   "prometheus"], prom.url, root, env)
        found = re.search(r"(\d+) errors?, (\d+) warnings?", out)
        print(next((x for x in out.splitlines() if x.startswith("validate:")), ""), file=sys.stderr)
        rows = [f"| obs validate | {wall:.1f} s | {requests} | {found[0] if found else '?'} |"]
        if Path(args.pint).exists():
            (work / "pint.hcl").write_text(f'prometheus "bench" {{\n  uri = "{prom.url}"\n}}\n')
            wall, requests, out = run([args.pint, "-n", "-c", str(work / "pint.hcl"), "lint",
                                       str(root / "out" / "prometheus")], prom.url, root)
            problems = re.search(r"level=\w+ msg=\"Problems found\".*", out) or re.search(r"(\d+ problems?.*)", out)
            rows.append(f"| pint {_pint_version(args.pint)} (defaults: concurrency 16, 100 requests/s) | {wall:.1f} s "
                        f"| {requests} | {problems[0][:80] if problems else '?'} |")
        else:
            rows.append(f"| pint | not run: {args.pint} not found | | |")
    finally:
        prom.stop()
    print(f"\n{rules} rules over {series} series, Prometheus {_version()}\n")
    print("| tool | wall time | requests Prometheus served | findings |\n|---|---|---|---|")
    print("\n".join(rows))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def _pint_version(path: str) -> str:
    out = subprocess.run([path, "version"], capture_output=True, text=True).stdout.strip()
    return out.split()[0] if out and out.split()[0] != "unknown" else "v0.87.0"


def _version() -> str:
    out = subprocess.run(["prometheus", "--version"], capture_output=True, text=True).stdout
    return out.split()[2] if out else "?"


if __name__ == "__main__":
    main()
