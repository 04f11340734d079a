"""A real Prometheus and Alertmanager (the Debian packages scripts/test.sh installs) on free
127.0.0.1 ports, with temporary folders and `--web.enable-lifecycle`, for the apply tests."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _binary(*names: str) -> str:
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(f"{names[0]} is not installed: run scripts/test.sh (it installs the Debian packages)")


class Server:
    name = "server"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> Server:
        self.log = open(self.workdir / f"{self.name}.log", "ab")
        self.proc = subprocess.Popen(self.command(), stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        for _ in range(300):
            if self.proc.poll() is not None:
                pytest.fail(f"{self.name} exited: {(self.workdir / f'{self.name}.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{self.url}/-/ready", timeout=1)
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"{self.name} did not become ready")

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(self.url + path, timeout=10) as r:
            return json.loads(r.read())

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if getattr(self, "log", None):
            self.log.close()


class Prometheus(Server):
    """Prometheus reading `<rules_dir>/*.yaml`; evaluation every second so health is known at once."""

    name = "prometheus"

    def __init__(self, workdir: Path, rules_dir: Path, lifecycle: bool = True) -> None:
        super().__init__(workdir)
        self.rules_dir, self.lifecycle = rules_dir, lifecycle
        config = workdir / "prometheus.yml"
        config.write_text(f"global: {{evaluation_interval: 1s, scrape_interval: 15s}}\n"
                          f"rule_files: ['{rules_dir}/*.yaml']\n")
        self.config = config

    def command(self) -> list[str]:
        return [_binary("prometheus"), f"--config.file={self.config}",
                f"--storage.tsdb.path={self.workdir / 'data'}", f"--web.listen-address=127.0.0.1:{self.port}",
                *(["--web.enable-lifecycle"] if self.lifecycle else [])]

    def groups(self) -> list[dict]:
        return self.get("/api/v1/rules")["data"]["groups"]


class Alertmanager(Server):
    name = "alertmanager"

    def __init__(self, workdir: Path, config: Path) -> None:
        super().__init__(workdir)
        self.config = config

    def command(self) -> list[str]:
        return [_binary("prometheus-alertmanager", "alertmanager"), f"--config.file={self.config}",
                f"--storage.path={self.workdir / 'am-data'}", f"--web.listen-address=127.0.0.1:{self.port}",
                f"--cluster.listen-address=127.0.0.1:{free_port()}"]

    def original(self) -> str:
        return self.get("/api/v2/status")["config"]["original"]
