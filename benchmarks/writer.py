"""Times obs's YAML writer (obs/yamlout.py) beside PyYAML's dumpers on what `obs compile` really
writes: the documents of the shop fixture and of a generated 2,000-SLO repository (every target
for the shop, the Prometheus rules for the large one), captured during a compile.

    python3 benchmarks/writer.py                   # this checkout's writer, PyYAML C and pure
    python3 benchmarks/writer.py --against c613d9f # and the writer of that commit (before)

Each figure is the best of --runs runs over every captured document (best, since the machine is
shared and slower runs measure the other jobs). PyYAML cannot write comments, so it gets the
same data without the provenance comments; its output is not what obs ships (JSON-quoted or
plain strings in its own choice, flow style off), only the yardstick of a generic dumper."""

from __future__ import annotations

import argparse
import importlib.util
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "benchmarks"))

import yaml  # noqa: E402

import obs.yamlout as yamlout  # noqa: E402
from generate import generate  # noqa: E402
from obs_test import machine  # noqa: E402

SHOP = HERE.parent / "shared" / "fixtures" / "shop"


def captured(root: Path, targets: list[str] | None) -> tuple[list[tuple[Any, str | None]], float]:
    """The (data, header) of every yamlout.dump call of a compile of `root`, and the compile's seconds."""
    calls: list[tuple[Any, str | None]] = []
    real = yamlout.dump

    def record(data: Any, header: str | None = None) -> str:
        calls.append((data, header))
        return real(data, header)

    yamlout.dump = record  # the targets import dump by name: patch before they are imported
    try:
        for name in [m for m in sys.modules if m.startswith("obs.") and m not in ("obs.yamlout", "obs.yamlstyle")]:
            del sys.modules[name]
        from obs.pipeline import build
        start = time.perf_counter()
        build(root, targets=targets, run_checks=False)
        seconds = time.perf_counter() - start
    finally:
        yamlout.dump = real
    return calls, seconds


def old_writer(rev: str) -> Any:
    """obs/yamlout.py of a git revision, loaded as a module of its own."""
    source = subprocess.run(["git", "show", f"{rev}:obs/yamlout.py"], cwd=HERE, capture_output=True, text=True,
                            check=True).stdout
    folder = Path(tempfile.mkdtemp())
    for dep in ("obs/yamlstyle.py",):
        shown = subprocess.run(["git", "show", f"{rev}:{dep}"], cwd=HERE, capture_output=True, text=True)
        if shown.returncode == 0:
            raise SystemExit(f"{rev} has {dep}: compare against a revision before the style change")
    (folder / "yamlout_before.py").write_text(source)
    spec = importlib.util.spec_from_file_location("yamlout_before", folder / "yamlout_before.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def converted(data: Any, comment: Any) -> Any:
    """The same data with each Comment key made by `comment` (None: dropped, for PyYAML)."""
    if isinstance(data, dict):
        out = {}
        for k, v in data.items():
            if isinstance(k, yamlout.Comment):
                if comment is not None:
                    out[comment(k.text)] = None
                continue
            out[k] = converted(v, comment)
        return out
    if isinstance(data, (list, tuple)):
        return [converted(v, comment) for v in data]
    return data


def cold() -> None:
    """Empty the writer's caches: a compile writes once, so every run starts as a compile does."""
    import obs.yamlstyle
    for cache in (yamlout._LINES, yamlout._FLAT, obs.yamlstyle._WORD, obs.yamlstyle._FOLDED):
        cache.clear()


def best(write: Any, docs: list[tuple[Any, str | None]], runs: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(runs):
        cold()
        start = time.perf_counter()
        size = sum(len(write(data, header)) for data, header in docs)
        times.append(time.perf_counter() - start)
    return min(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", help="also time obs/yamlout.py of this git revision")
    parser.add_argument("--services", type=int, default=200, help="of the large repository (10 SLOs each)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-pure", action="store_true", help="skip PyYAML's pure-Python dumper (slow)")
    args = parser.parse_args()
    before = old_writer(args.against) if args.against else None
    kw = dict(sort_keys=False, allow_unicode=True, default_flow_style=False)
    print(machine())
    print(f"PyYAML {yaml.__version__} (libyaml {'yes' if yaml.__with_libyaml__ else 'no'})\n")
    print("| repository | documents | obs writer | before | PyYAML CSafeDumper | PyYAML SafeDumper | compile |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as d:
        repos = []
        if SHOP.is_dir():
            repos.append(("shop fixture (all targets)", SHOP, None))
        big = Path(d) / "big"
        generate(big, args.services, 5, "prometheus")
        repos.append((f"{args.services * 10} SLOs (prometheus)", big, ["prometheus"]))
        for name, root, targets in repos:
            docs, compile_s = captured(root, targets)
            ours, size = best(yamlout.dump, docs, args.runs)
            cells = [f"{ours:.3f} s ({size / 2**20:.1f} MiB)"]
            if before is not None:
                old_docs = [(converted(data, before.Comment), h) for data, h in docs]
                cells.append(f"{best(before.dump, old_docs, args.runs)[0]:.3f} s")
            else:
                cells.append("–")
            plain = [converted(data, None) for data, _ in docs]
            c = best(lambda data, _h: yaml.dump(data, Dumper=yaml.CSafeDumper, **kw), [(p, None) for p in plain], 1)
            cells.append(f"{c[0]:.3f} s")
            if args.no_pure:
                cells.append("–")
            else:
                p = best(lambda data, _h: yaml.dump(data, Dumper=yaml.SafeDumper, **kw), [(p, None) for p in plain], 1)
                cells.append(f"{p[0]:.3f} s")
            cells.append(f"{compile_s:.2f} s")
            print(f"| {name} | {len(docs)} | " + " | ".join(cells) + " |")
    print(f"\nPython {platform.python_version()}; `compile` is the in-process build (load, resolve, emit, "
          "no checks, no writing) including the writer")


if __name__ == "__main__":
    main()
