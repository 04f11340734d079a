"""A real Prometheus and Alertmanager (Debian's packages) on free 127.0.0.1 ports with temp
data dirs, and a scrape target serving known series — for the live tests of `obs validate`.

Every start has its stop: the fixtures in tests/live/conftest.py call `stop()` in a finalizer,
which ends the process it started (by its pid) and removes its folder.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

#: histogram bounds the target exposes (seconds): 300ms is one, 200ms is not
BOUNDS = ("0.1", "0.3", "0.5", "1", "+Inf")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binary(*names: str) -> str:
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(f"{names[0]} is not installed: run scripts/test.sh (Debian's prometheus, prometheus-alertmanager)")


def exposition(n: int) -> str:
    """The target's /metrics at its n-th scrape: counters grow, the gauge moves, buckets fill."""
    lines = ["# HELP http_requests_total Requests served.", "# TYPE http_requests_total counter"]
    for service, status, route, per in (("checkout", "200", "/pay", 10), ("checkout", "500", "/pay", 1),
                                        ("checkout", "200", "/cart", 5), ("cart", "200", "/cart", 7)):
        lines.append(f'http_requests_total{{service="{service}",status="{status}",route="{route}"}} {per * n}')
    lines += ["# HELP http_request_duration_seconds Request latency.",
              "# TYPE http_request_duration_seconds histogram"]
    for i, le in enumerate(BOUNDS):
        lines.append(f'http_request_duration_seconds_bucket{{service="checkout",le="{le}"}} {(i + 1) * 2 * n}')
    lines += [f'http_request_duration_seconds_sum{{service="checkout"}} {3.5 * n}',
              f'http_request_duration_seconds_count{{service="checkout"}} {len(BOUNDS) * 2 * n}',
              "# HELP queue_depth Jobs waiting.", "# TYPE queue_depth gauge",
              f'queue_depth{{service="checkout"}} {n % 7}',
              "# HELP jobs_processed_total Jobs done.", "# TYPE jobs_processed_total counter",
              f'jobs_processed_total{{service="checkout"}} {3 * n}']
    return "\n".join(lines) + "\n"


class MetricsTarget:
    """A tiny /metrics endpoint in this process (a thread), counting its scrapes."""

    def __init__(self) -> None:
        self.scrapes = 0
        outer = self

        class _H(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                outer.scrapes += 1
                body = exposition(outer.scrapes).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        self.address = f"127.0.0.1:{self._httpd.server_address[1]}"

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class Process:
    """A server binary in its own temp folder; `stop()` ends exactly the process `start()` began."""

    name = "server"

    def __init__(self) -> None:
        self.work = Path(tempfile.mkdtemp(prefix=f"obs-{self.name}-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def _spawn(self, cmd: list[str], ready: str, timeout: float = 60) -> None:
        self.log = open(self.work / "console.log", "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.work)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"{self.name} exited: {(self.work / 'console.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(self.url + ready, timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"{self.name} did not become ready within {timeout:g}s")

    def get(self, path: str):
        with urllib.request.urlopen(self.url + path, timeout=10) as r:
            return json.loads(r.read())

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if getattr(self, "log", None):
            self.log.close()
        shutil.rmtree(self.work, ignore_errors=True)


class Prometheus(Process):
    """Prometheus scraping `jobs` ({job: (address, interval)}), or serving a data dir as it is."""

    name = "prometheus"

    def start(self, jobs: dict[str, tuple[str, str]] | None = None, data: Path | None = None,
              extra: list[str] = ()) -> Prometheus:
        config = {"global": {"scrape_interval": "1m"},
                  "scrape_configs": [{"job_name": job, "scrape_interval": every, "scrape_timeout": every,
                                      "static_configs": [{"targets": [address]}]}
                                     for job, (address, every) in (jobs or {}).items()]}
        (self.work / "prometheus.yml").write_text(yaml.safe_dump(config))
        self._spawn([binary("prometheus"), f"--config.file={self.work / 'prometheus.yml'}",
                     f"--storage.tsdb.path={data or self.work / 'data'}", f"--web.listen-address=127.0.0.1:{self.port}",
                     "--storage.tsdb.retention.time=10y", *extra], "/-/ready", timeout=120)
        return self

    def wait_for_scrapes(self, jobs: list[str], count: int = 2, timeout: float = 60) -> None:
        """Until every job's target was scraped `count` times (rate() needs two samples)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.get("/api/v1/query?query=" + urllib.request.quote(
                "count_over_time(up[1m])"))["data"]["result"]
            done = {r["metric"].get("job") for r in got if float(r["value"][1]) >= count}
            if set(jobs) <= done:
                return
            time.sleep(0.25)
        pytest.fail(f"Prometheus did not scrape {jobs} {count} times within {timeout:g}s")


class Alertmanager(Process):
    name = "alertmanager"

    def start(self, config: str) -> Alertmanager:
        (self.work / "alertmanager.yml").write_text(config)
        self._spawn([binary("prometheus-alertmanager", "alertmanager"),
                     f"--config.file={self.work / 'alertmanager.yml'}", f"--storage.path={self.work / 'data'}",
                     f"--web.listen-address=127.0.0.1:{self.port}",
                     f"--cluster.listen-address=127.0.0.1:{free_port()}"], "/-/ready")
        return self
