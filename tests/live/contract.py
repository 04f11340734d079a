"""Recorded responses of servers that cannot run here (tests/contracts/<server>/*.json), served
by the scripted loopback server, and the shop project with a `contract` environment for them.

A recording: {"source": "<API doc URL, version>", "exchanges": [{"method", "path", "status",
"body"}]}. Tests assert that obs sent nothing unrecorded and used every recording."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.live.scripted import Reply, ScriptedServer

CONTRACTS = Path(__file__).resolve().parents[1] / "contracts"
SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"

ENVIRONMENT = """
    contract:
      skywalking:
        url: {env: OBS_CONTRACT_SKYWALKING}
      kubernetes:
        context: contract
        kubeconfig: {env: OBS_CONTRACT_KUBECONFIG}
      grafana:
        url: {env: OBS_CONTRACT_GRAFANA}
        token: {env: OBS_CONTRACT_TOKEN}
"""


def recording(server: str, name: str) -> dict:
    doc = json.loads((CONTRACTS / server / f"{name}.json").read_text())
    assert doc["source"].startswith("https://"), "a recording cites the API documentation it follows"
    return doc


def serve(srv: ScriptedServer, server: str, *names: str) -> ScriptedServer:
    """Route every exchange of the recordings; later recordings override earlier ones."""
    for name in names:
        for ex in recording(server, name)["exchanges"]:
            srv.route(ex["method"], ex["path"], Reply(ex.get("status", 200), ex.get("body")))
    return srv


def shop(tmp: Path, extra: str = "") -> Path:
    """examples/shop in a temp folder with the `contract` environment (and `extra` obs.yaml text)."""
    root = tmp / "shop"
    shutil.copytree(SHOP, root, ignore=shutil.ignore_patterns("out", ".obs"))
    text = (root / "obs.yaml").read_text()
    (root / "obs.yaml").write_text(text.rstrip("\n") + "\n" + ENVIRONMENT.lstrip("\n") + extra)
    return root


def clean(srv: ScriptedServer) -> None:
    assert not srv.unexpected, [f"{r.method} {r.path}" for r in srv.unexpected]
    assert not srv.unused(), srv.unused()


def environ(monkeypatch, **values: str) -> None:
    """Set the contract environment's variables; servers a test does not use get a closed port."""
    defaults = {"grafana": "http://127.0.0.1:9", "skywalking": "http://127.0.0.1:9", "token": "unused",
                "kubeconfig": "/nonexistent/kubeconfig"}
    for key, value in {**defaults, **values}.items():
        monkeypatch.setenv(f"OBS_CONTRACT_{key.upper()}", value)
