"""The servers of benchmarks/evaluation_cost.py: a live exporter continuing the generated
traffic, Debian's Prometheus with the rules loaded, and what is read from it (evaluation time
per group and rule from /api/v1/rules, samples per rule from `stats=all`)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import evaluation_data as data  # noqa: E402
from tests.live.servers import free_port  # noqa: E402


class Exporter:
    """/metrics continuing the history: at `live_start` the counters are where the history
    ended (minute `base`) and grow with the generated traffic from there."""

    def __init__(self, traffic: data.Traffic, base: int) -> None:
        self.live_start = time.time()
        outer = self

        class _H(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                m = outer.minute(time.time())
                lines = ["# TYPE http_requests_total counter"]
                for i in range(len(traffic.total)):
                    lines += data.series_lines(traffic, i, m)
                body = ("\n".join(lines) + "\n").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.end_headers()
                self.wfile.write(body)

        self.base = base
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        self.address = f"127.0.0.1:{self._httpd.server_address[1]}"

    def minute(self, t: float) -> float:
        return self.base + max(0.0, t - self.live_start) / 60

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class Prometheus:
    """Debian's Prometheus on a free 127.0.0.1 port over `data`; stop() ends exactly this process."""

    def __init__(self, work: Path, data_dir: Path, rule_files: list[Path] = (), target: str | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = {"global": {"scrape_interval": "1m", "evaluation_interval": "1m"},
                  "rule_files": [str(p) for p in rule_files],
                  "scrape_configs": [{"job_name": "bench", "honor_labels": True,
                                      "static_configs": [{"targets": [target]}]}] if target else []}
        cfg = work / f"prometheus-{self.port}.yml"
        cfg.write_text(yaml.safe_dump(config))
        self.log = open(work / f"prometheus-{self.port}.log", "wb")
        self.proc = subprocess.Popen(["prometheus", f"--config.file={cfg}", f"--storage.tsdb.path={data_dir}",
                                      f"--web.listen-address=127.0.0.1:{self.port}",
                                      "--storage.tsdb.retention.time=10y"], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 300
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"prometheus exited: {Path(self.log.name).read_text()[-2000:]}")
            try:
                urllib.request.urlopen(self.url + "/-/ready", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("prometheus did not become ready in 300 s")

    def get(self, path: str, **params) -> dict:
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        with urllib.request.urlopen(self.url + path + query, timeout=120) as r:
            return json.loads(r.read())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()


COMPACTION = ("prometheus_tsdb_compaction_duration_seconds_count", "prometheus_tsdb_vertical_compactions_total")


def compactions(prom: Prometheus) -> float:
    """Compactions done so far: a server compacts the overlapping backfilled blocks a minute or
    so after start, and rules evaluated meanwhile wait on the busy machine."""
    with urllib.request.urlopen(prom.url + "/metrics", timeout=60) as r:
        text = r.read().decode()
    return sum(float(ln.split()[-1]) for ln in text.splitlines() if ln.startswith(COMPACTION))


def _epoch(stamp: str) -> float:
    day, _, rest = stamp.partition("T")
    clock = rest.rstrip("Z").split("+")[0]
    whole, _, frac = clock.partition(".")
    return time.mktime(time.strptime(f"{day}T{whole}", "%Y-%m-%dT%H:%M:%S")) - time.timezone + float(f"0.{frac or 0}")


def measure(proms: dict[str, Prometheus], wait: float) -> dict[str, dict]:
    """Per tool: median evaluationTime per group and per rule over the evaluations seen in
    `wait` s that began after the server's last compaction (else all but the first), all
    servers polled in one loop."""
    seen = {tool: {"groups": {}, "rules": {}, "info": {}, "compactions": -1.0, "settled": 0.0} for tool in proms}
    deadline = time.time() + wait
    while True:
        for tool, prom in proms.items():
            acc = seen[tool]
            done = compactions(prom)
            if done != acc["compactions"]:
                acc["compactions"], acc["settled"] = done, time.time()
            for g in prom.get("/api/v1/rules")["data"]["groups"]:
                key = (g["file"], g["name"])
                acc["info"][key] = g
                if g["lastEvaluation"].startswith("0001"):
                    continue
                at = _epoch(g["lastEvaluation"])
                acc["groups"].setdefault(key, {})[at] = g["evaluationTime"]
                for n, r in enumerate(g["rules"]):
                    acc["rules"].setdefault(key + (n,), {})[at] = r["evaluationTime"]
        if time.time() >= deadline:
            break
        time.sleep(5)

    def kept(values: dict[float, float], settled: float) -> list[float]:
        after = [v for t, v in sorted(values.items()) if t > settled]
        vals = [v for _, v in sorted(values.items())]
        return after or (vals[1:] if len(vals) > 1 else vals)

    out = {}
    for tool, acc in seen.items():
        settled = acc["settled"]
        out[tool] = {"groups": {k: statistics.median(kept(v, settled)) for k, v in acc["groups"].items()},
                     "rules": {k: statistics.median(kept(v, settled)) for k, v in acc["rules"].items()},
                     "evaluations": {k: len(kept(v, settled)) for k, v in acc["groups"].items()},
                     "info": acc["info"], "settled": settled}
    return out


def samples(prom: Prometheus, info: dict, at: float) -> dict[tuple, int]:
    """totalQueryableSamples of each rule's expression evaluated at `at` (stats=all)."""
    out = {}
    for key, g in info.items():
        for n, r in enumerate(g["rules"]):
            res = prom.get("/api/v1/query", query=r["query"], time=f"{at:.3f}", stats="all")
            out[key + (n,)] = int(res["data"].get("stats", {}).get("samples", {}).get("totalQueryableSamples", 0))
    return out
