"""amtool and a real Alertmanager (Debian's prometheus-alertmanager 0.25) for the routing tests."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest


def routes_test(amtool: str, config: Path, labels: dict[str, str]) -> list[str]:
    """The receivers `amtool config routes test` reaches for an alert with these labels."""
    args = [f"{k}={v}" for k, v in labels.items()]
    result = subprocess.run([amtool, "config", "routes", "test", f"--config.file={config}", *args],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return sorted(result.stdout.strip().split(","))


def check_config(amtool: str, config: Path) -> None:
    result = subprocess.run([amtool, "check-config", str(config)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr


class Alertmanager:
    """A real Alertmanager on 127.0.0.1, for behaviour amtool cannot show (inhibition)."""

    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary, self.workdir, self.proc = binary, workdir, None

    def start(self, config: Path) -> None:
        port, cluster = _free_port(), _free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [self.binary, f"--config.file={config}", f"--storage.path={self.workdir / 'data'}",
             f"--web.listen-address=127.0.0.1:{port}", f"--cluster.listen-address=127.0.0.1:{cluster}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{self.url}/-/ready", timeout=1)
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.proc.stderr.read().decode())
                time.sleep(0.1)
        raise RuntimeError("Alertmanager did not become ready")

    def post(self, alerts: list[dict]) -> None:
        req = urllib.request.Request(f"{self.url}/api/v2/alerts", json.dumps(alerts).encode(),
                                     {"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=5)

    def alerts(self) -> list[dict]:
        return json.load(urllib.request.urlopen(f"{self.url}/api/v2/alerts", timeout=5))

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def alertmanager(tmp_path_factory):
    binary = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    if binary is None:
        pytest.fail("prometheus-alertmanager is not installed: run scripts/test.sh")
    server = Alertmanager(binary, tmp_path_factory.mktemp("alertmanager"))
    yield server
    server.stop()
