"""Re-compile of a repository of many files (issue 18): cold (--no-cache), again with nothing
changed (whole-build cache hit), and after one file changed (document cache warm); then the
out/ of the cached compiles is compared byte for byte with a --no-cache compile of a copy.

    python3 benchmarks/recompile.py                 # 1,000 files (generate.py, 1 SLO pair each)
    python3 benchmarks/recompile.py --files 200 --runs 3

Whole processes, median of --runs; the load average is printed at the start and the end.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402
from lint import load, median, run, table  # noqa: E402
from sloth import machine, obs_cmd, obs_env  # noqa: E402


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {machine()}")
    with tempfile.TemporaryDirectory() as d:
        root = Path(d) / "repo"
        generate(root, args.files, 1, "prometheus")
        env = dict(obs_env(), OBS_CACHE_DIR=str(Path(d) / "cache"))
        rows = [("obs compile --no-cache (cold)",
                 median(obs_cmd("compile", "--no-cache"), root, args.runs, env=env, before=[root / "out"]))]
        run(obs_cmd("compile"), root, env)  # fills both caches
        rows.append(("obs compile, nothing changed (build cache hit)",
                     median(obs_cmd("compile"), root, args.runs, env=env)))
        victim = root / "services" / "svc-0.yaml"

        def edit(k: int) -> None:
            # a different objective each time (99.80, 99.81, …): every run sees a changed file
            victim.write_text(re.sub(r"objective: [0-9.]+", f"objective: 99.{80 + k}", victim.read_text(), count=1))
        rows.append(("obs compile after one file changed (document cache warm)",
                     median(obs_cmd("compile"), root, args.runs, env=env, each=edit)))
        plain = Path(d) / "plain"
        shutil.copytree(root, plain, ignore=shutil.ignore_patterns("out"))
        run(obs_cmd("compile", "--no-cache"), plain, env)
        same = tree(plain / "out") == tree(root / "out")
        table(f"{args.files} files, {args.files * 2} SLOs", args.runs, rows)
        print(f"out/ after the edits identical to a --no-cache compile: {'yes' if same else 'NO'}")
    print(f"load average at end: {load()}")


if __name__ == "__main__":
    main()
