"""Recorded exchanges of servers that cannot run here (Watcher, OpenSearch Alerting and
Notifications), replayed on the scripted loopback server (tests/live/scripted.py).

A recording file (tests/contracts/<server>/<name>.json) cites the documentation and version its
responses follow (`$comment`) and lists exchanges: a request (method, path, and optionally a
`query` the request must carry) and the response. Exchanges of one method and path are served
in file order. A request no exchange answers fails the test, and so does an exchange never used.

Servers keep what obs sends (a digest in a watch's metadata, say) and show it back later; a
response says where with `{"$echo": {"request": N, "pointer": "/metadata"}}`: that part of the
body of request N of this recording (0-based, in file order), with `"merge": {...}` over it
where the server adds fields of its own (Grafana's id and version). A request body that is not
JSON (Mimir's YAML) is echoed parsed as YAML. A response may set `headers`; a YAML Content-Type sends the body as YAML.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import yaml

from tests.live.scripted import Reply, Request, ScriptedServer

CONTRACTS = Path(__file__).resolve().parents[1] / "contracts"


def load(server: str, name: str) -> dict:
    doc = json.loads((CONTRACTS / server / f"{name}.json").read_text())
    assert doc.get("$comment"), f"{server}/{name}.json must cite the documentation it follows"
    return doc


class Replay:
    def __init__(self, server: ScriptedServer, *recordings: dict) -> None:
        self.server = server
        self.exchanges = []
        for r in recordings:  # echo indexes are per file: shift them by the exchanges before it
            self.exchanges += [_shift(copy.deepcopy(x), len(self.exchanges)) for x in r["exchanges"]]
        self.seen: list[Request | None] = [None] * len(self.exchanges)
        self.mismatched: list[str] = []
        self.extra: list[str] = []
        by_route: dict[tuple[str, str], list[int]] = {}
        for i, x in enumerate(self.exchanges):
            by_route.setdefault((x["request"]["method"], x["request"]["path"]), []).append(i)
        for (method, path), indexes in by_route.items():
            server.route(method, path, [self._answer(i) for i in indexes] + [self._extra])

    def _extra(self, req: Request) -> Reply:
        """More requests to a route than were recorded: the scripted server repeats its last reply, this one."""
        self.extra.append(f"{req.method} {req.path}")
        return Reply(599, {"error": f"no further recording for {req.method} {req.path}"})

    def _answer(self, i: int):
        def answer(req: Request) -> Reply:
            self.seen[i] = req
            want = self.exchanges[i]["request"].get("query", {})
            got = {k: v[0] for k, v in req.query.items()}
            if any(str(got.get(k)) != str(v) for k, v in want.items()):
                self.mismatched.append(f"exchange {i}: query {got} lacks {want}")
            resp = self.exchanges[i]["response"]
            headers = dict(resp.get("headers") or {})
            body = self._expand(copy.deepcopy(resp.get("body")))
            if "yaml" in headers.get("Content-Type", "") and not isinstance(body, str):
                body = yaml.safe_dump(body, sort_keys=False)  # the ruler answers YAML
            return Reply(resp.get("status", 200), body, headers)
        return answer

    def _expand(self, body):
        if isinstance(body, dict) and set(body) == {"$echo"}:
            spec = body["$echo"]
            req = self.seen[spec["request"]]
            assert req is not None, f"echo of request {spec['request']}, which was not sent yet"
            try:
                value = req.json()
            except ValueError:
                value = yaml.safe_load(req.body)
            for part in [p for p in spec["pointer"].split("/") if p]:
                value = value[int(part)] if isinstance(value, list) else value[part]
            return {**value, **spec["merge"]} if isinstance(value, dict) and "merge" in spec else value
        if isinstance(body, dict):
            return {k: self._expand(v) for k, v in body.items()}
        if isinstance(body, list):
            return [self._expand(v) for v in body]
        return body

    def sent(self, i: int) -> Request:
        req = self.seen[i]
        assert req is not None, f"exchange {i} was not used"
        return req

    def check(self) -> None:
        """Every request answered by a recording, every recording used, every query as recorded."""
        unexpected = [f"{r.method} {r.path}" for r in self.server.unexpected]
        unused = [f"{i}: {x['request']['method']} {x['request']['path']}" for i, x in enumerate(self.exchanges)
                  if self.seen[i] is None]
        assert (unexpected + self.extra, unused, self.mismatched) == ([], [], [])


def _shift(x, offset: int):
    if isinstance(x, dict):
        if set(x) == {"$echo"}:
            return {"$echo": {**x["$echo"], "request": x["$echo"]["request"] + offset}}
        return {k: _shift(v, offset) for k, v in x.items()}
    if isinstance(x, list):
        return [_shift(v, offset) for v in x]
    return x
