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
    """Route every exchange of the recordings; later recordings override earlier ones.

    An exchange with `match` (a GraphQL endpoint answers everything at one path) is chosen by
    its request body: `query` a substring of the query, `variables` equal. A body no exchange
    matches is recorded as unexpected; an exchange never chosen is left in `srv.unmatched`."""
    by_route: dict[tuple[str, str], list[dict]] = {}
    for name in names:
        for ex in recording(server, name)["exchanges"]:
            key = (ex["method"], ex["path"])
            if "match" not in ex:
                srv.route(*key, Reply(ex.get("status", 200), ex.get("body")))
            else:
                same = [o for o in by_route.get(key, []) if o["match"] == ex["match"]]
                exchanges = by_route.setdefault(key, [])
                for o in same:  # a later recording replaces an earlier answer to the same request
                    exchanges.remove(o)
                exchanges.insert(0, ex)
    srv.unmatched = [ex for exchanges in by_route.values() for ex in exchanges]
    for key, exchanges in by_route.items():
        srv.route(*key, _matcher(srv, exchanges))
    return srv


def _matcher(srv: ScriptedServer, exchanges: list[dict]):
    def answer(req):
        body = req.json() or {}
        for ex in exchanges:
            want = ex["match"]
            if want.get("query", "") in body.get("query", "") and \
                    ("variables" not in want or want["variables"] == body.get("variables")):
                if ex in srv.unmatched:
                    srv.unmatched.remove(ex)
                return Reply(ex.get("status", 200), ex.get("body"))
        srv.unexpected.append(req)
        return Reply(599, {"errors": [{"message": "no recording for this query"}]})
    return answer


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
    assert not getattr(srv, "unmatched", []), [ex["match"] for ex in srv.unmatched]


def environ(monkeypatch, **values: str) -> None:
    """Set the contract environment's variables; servers a test does not use get a closed port."""
    defaults = {"grafana": "http://127.0.0.1:9", "skywalking": "http://127.0.0.1:9", "token": "unused",
                "kubeconfig": "/nonexistent/kubeconfig"}
    for key, value in {**defaults, **values}.items():
        monkeypatch.setenv(f"OBS_CONTRACT_{key.upper()}", value)
