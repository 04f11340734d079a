"""The Alertmanager API v2 as obs uses it — the running server's status (version, cluster,
loaded config), through the one Session — and `amtool check-config`, Alertmanager's own
config parser, for the compiled file."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from obs.live.clients import preflight
from obs.live.errors import BadResponse
from obs.live.http import Session

_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)")


def version(text: str | None) -> tuple[int, int, int] | None:
    m = _VERSION.search(text or "")
    return (int(m[1]), int(m[2]), int(m[3])) if m else None


class Alertmanager:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._status: dict | None = None
        self.memo: dict = {}  # what checks derived once per run (amtool's verdict)

    def status(self) -> dict:
        """`/api/v2/status`: cluster, config.original, uptime, versionInfo (asked once per run)."""
        if self._status is None:
            body = self.session.get_json("/api/v2/status")
            if not isinstance(body, dict) or "versionInfo" not in body:
                raise BadResponse(self.session.server, "/api/v2/status did not answer the Alertmanager API "
                                  "(is this the right URL?)")
            self._status = body
        return self._status

    def version(self) -> tuple[int, int, int] | None:
        return version((self.status().get("versionInfo") or {}).get("version"))


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    problems: list[str]
    tool_version: tuple[int, int, int] | None


def check_config(text: str) -> CheckResult | None:
    """`amtool check-config` on `text`; None when amtool is not installed."""
    amtool = shutil.which("amtool")
    if amtool is None:
        return None
    with tempfile.TemporaryDirectory(prefix="obs-amtool-") as tmp:
        path = Path(tmp) / "alertmanager.yaml"
        path.write_text(text, encoding="utf-8")
        run = subprocess.run([amtool, "check-config", str(path)], capture_output=True, text=True, timeout=60,
                             cwd=tmp)
        about = subprocess.run([amtool, "--version"], capture_output=True, text=True, timeout=30)
    found = version(about.stdout + about.stderr)
    if run.returncode == 0:
        return CheckResult(True, [], found)
    text_out = (run.stdout + "\n" + run.stderr).replace(str(path), "alertmanager.yaml")
    problems = []
    for line in text_out.splitlines():
        line = line.strip()
        if "FAILED:" in line:
            line = line.split("FAILED:", 1)[1].strip()
        if line and not line.startswith(("Checking", "amtool: error: failed to validate")) and line != "yaml: " \
                "unmarshal errors:":
            problems.append(line)
    return CheckResult(False, problems or ["amtool check-config refused it"], found)


@preflight("alertmanager")
def _up(session: Session) -> dict:
    return Alertmanager(session).status()
