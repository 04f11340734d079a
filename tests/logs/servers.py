"""Start the minimal Elasticsearch / OpenSearch distributions fetched by scripts/setup-elasticsearch.sh
on 127.0.0.1, on free ports, with a small heap, for one test session."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("OBS_CACHE", REPO / ".cache"))
SETUP = "scripts/setup-elasticsearch.sh"


def java_home(version: str) -> str:
    """A JDK for the server: 17 runs Elasticsearch 8 and OpenSearch 2; 9.x needs 21+ (Temurin 25)."""
    major = int(version.split(".")[0])
    wanted = ("temurin-25", "java-21", "temurin") if major >= 9 and "." in version and major != 2 else (
        "java-17", "java-21", "temurin")
    if os.environ.get("JAVA_HOME"):
        return os.environ["JAVA_HOME"]
    jvms = sorted(Path("/usr/lib/jvm").glob("*"))
    for prefix in wanted:
        for jvm in jvms:
            if jvm.name.startswith(prefix) and (jvm / "bin" / "java").exists():
                return str(jvm)
    java = shutil.which("java")
    if java is None:
        pytest.fail(f"no Java found for {version}: run {SETUP}")
    return str(Path(os.path.realpath(java)).parent.parent)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SearchServer:
    """One node; `kind` is elasticsearch or opensearch, `dist` the folder under .cache/search holding
    it (default: `kind`; `elasticsearch-7`, `elasticsearch-9` for the other majors). Runs as `nobody`
    when the tests run as root (both refuse to run as root)."""

    def __init__(self, kind: str, dist: str | None = None) -> None:
        self.kind = kind
        self.dist = dist or kind
        self.home = CACHE / "search" / self.dist
        if not (self.home / "bin" / kind).exists():
            pytest.fail(f"{self.dist} is not installed in {self.home}: run {SETUP} (scripts/test.sh runs it)")
        self.version = (self.home / ".version").read_text().strip()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.work = Path(tempfile.mkdtemp(prefix=f"obs-{kind}-"))

    def start(self) -> SearchServer:
        conf = self.work / "config"
        shutil.copytree(self.home / "config", conf)
        options = conf / "jvm.options"  # no GC log or heap dumps for a throwaway test node
        options.write_text("".join(line for line in options.read_text().splitlines(keepends=True)
                                   if "-Xlog" not in line and "HeapDump" not in line))
        (self.work / "data").mkdir()
        (self.work / "logs").mkdir()
        (self.work / "tmp").mkdir()
        settings = {"discovery.type": "single-node", "network.host": "127.0.0.1", "http.port": self.port,
                    "transport.port": free_port(), "path.data": str(self.work / "data"),
                    "path.logs": str(self.work / "logs"), "cluster.routing.allocation.disk.threshold_enabled": "false",
                    "action.auto_create_index": "true"}
        if self.kind == "elasticsearch":
            settings.update({"xpack.security.enabled": "false"})
        env = {**os.environ, "ES_PATH_CONF": str(conf), "OPENSEARCH_PATH_CONF": str(conf),
               "ES_JAVA_OPTS": "-Xms256m -Xmx256m", "OPENSEARCH_JAVA_OPTS": "-Xms256m -Xmx256m",
               "ES_TMPDIR": str(self.work / "tmp"), "OPENSEARCH_TMPDIR": str(self.work / "tmp")}
        jdk = java_home(self.version if self.kind == "elasticsearch" else "8")
        env.update({"ES_JAVA_HOME": jdk, "OPENSEARCH_JAVA_HOME": jdk, "JAVA_HOME": jdk})
        env.pop("JAVA_TOOL_OPTIONS", None)
        cmd = [str(self.home / "bin" / self.kind), *(f"-E{k}={v}" for k, v in settings.items())]
        if os.geteuid() == 0:
            os.chmod(self.work, 0o755)
            subprocess.run(["chown", "-R", "nobody:nogroup", str(self.work)], check=True)
            cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *cmd]
        self.log = open(self.work / "console.log", "wb")
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.work,
                                     start_new_session=True)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"{self.kind} exited: {(self.work / 'console.log').read_text()[-2000:]}")
            try:
                health = self.get("/_cluster/health?wait_for_status=yellow&timeout=1s")
                if health.get("status") in ("green", "yellow"):
                    return self
            except OSError:
                time.sleep(0.5)
        self.stop()
        pytest.fail(f"{self.kind} did not start within 120s (log in {self.work})")

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(self.url + path, timeout=10) as r:
            return json.loads(r.read())

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the launcher and the node it started
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        shutil.rmtree(self.work, ignore_errors=True)


EA_PYTHON = CACHE / "elastalert-venv" / "bin" / "python"


def elastalert_load(files: list[Path], host: str = "127.0.0.1", port: int = 9, env: dict | None = None) -> dict:
    """Load rule files with ElastAlert 2's FileRulesLoader.load_configuration (its own venv)."""
    if not EA_PYTHON.exists():
        pytest.fail(f"ElastAlert 2 is not installed in {EA_PYTHON.parent.parent}: run scripts/setup-elastalert.sh")
    script = Path(__file__).resolve().parent / "ea_load.py"
    proc = subprocess.run([str(EA_PYTHON), str(script), host, str(port), *map(str, files)],
                          capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {Path(k).name: v for k, v in json.loads(proc.stdout).items()}
