"""Times obs on synthetic repositories and on hostile input; prints a Markdown table to paste
into benchmarks/README.md. Figures, not pass/fail: speed is measured here, not in tests."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

SIZES = [(10, 5), (100, 5), (500, 10)]


def timed(args: list[str], cwd: Path, runs: int = 3) -> tuple[float, int]:
    times, code = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        code = subprocess.run([sys.executable, "-m", "obs", *args], cwd=cwd, capture_output=True).returncode
        times.append(time.perf_counter() - start)
    return statistics.median(times), code


def main() -> None:
    rows = ["| repository | SLOs | rules in out/prometheus | obs lint | obs compile |", "|---|---|---|---|---|"]
    for services, pairs in SIZES:
        with tempfile.TemporaryDirectory() as d:
            root = Path(d)
            generate(root, services, pairs, "prometheus")
            lint, lcode = timed(["lint"], root)
            comp, ccode = timed(["compile"], root)
            rules = sum(f.read_text().count("\n  - ") for f in (root / "out" / "prometheus").glob("*.yaml")) \
                if ccode == 0 else 0
            rows.append(f"| {services} services | {services * pairs * 2} | {rules} | {lint:.2f} s"
                        f"{'' if lcode == 0 else ' (exit %d)' % lcode} | {comp:.2f} s"
                        f"{'' if ccode == 0 else ' (exit %d)' % ccode} |")
    rows.append("")
    rows.append("| hostile input | obs lint |")
    rows.append("|---|---|")
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        (root / "obs.yaml").write_text("apiVersion: obs/v1\nkind: Project\nmetadata: {name: b}\n"
                                       "spec: {sources: ['*.yaml'], targets: [prometheus]}\n")
        bomb, prev = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n', "a"
        for n in "bcdefghij":
            bomb += f"{n}: &{n} [" + ",".join(["*" + prev] * 9) + "]\n"
            prev = n
        cases = {"billion laughs (10^9 nodes)": bomb, "nesting 100,000 deep": "[" * 100000 + "]" * 100000,
                 "9 MiB file": "a: " + "x" * (9 << 20)}
        for name, text in cases.items():
            (root / "bad.yaml").write_text(text)
            t, _ = timed(["lint"], root)
            rows.append(f"| {name} | {t:.2f} s |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
