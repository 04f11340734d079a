"""Rule evaluation in batches (obs.live.evaluate) over Prometheus's documented query API,
replayed: a warning or an error in a combined query is split down to the expression at
fault; a 5xx is not split (no storm of halves against a failing server). The real server's
errors are asserted in test_validate_prometheus.py; warnings cannot be produced by the
Prometheus 2.42 of this machine, hence this replay."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from obs.live.environment import Endpoint
from obs.live.errors import BadResponse
from obs.live.evaluate import evaluate
from obs.live.http import Policy, Session
from obs.live.prometheus import Prometheus
from tests.live.scripted import Reply, ScriptedServer

pytestmark = pytest.mark.contract


def answer(req) -> Reply:
    """The documented shapes: success with `warnings`, or 422 `execution` errors."""
    query = parse_qs(req.body.decode())["query"][0]
    if "broken" in query:
        return Reply(422, {"status": "error", "errorType": "execution", "error": "many-to-many matching not allowed"})
    body = {"status": "success", "data": {"resultType": "vector", "result": []}}
    if "partial" in query:
        body["warnings"] = ["remote read: store unavailable, partial data"]
    return Reply(200, body)


def client(url: str) -> Prometheus:
    return Prometheus(Session(Endpoint("prometheus", url), Policy(concurrency=1), sleep=lambda s: None))


def test_a_batch_is_one_query_and_faults_are_found_by_halving():
    exprs = [("1 + 1", True)] + [(f"up{{i=\"{i}\"}}", False) for i in range(29)] + [
        ("broken_metric", False), ("partial_metric", False), ("up", False)]
    with ScriptedServer() as srv:
        srv.route("POST", "/api/v1/query", answer)
        out = evaluate(client(srv.url), exprs, at=1_700_000_000.0)
        sent = [parse_qs(r.body.decode())["query"][0] for r in srv.requests]
    assert out["broken_metric"].error.message == "many-to-many matching not allowed"
    assert out["partial_metric"].warnings == ("remote read: store unavailable, partial data",)
    assert all(o.error is None and not o.warnings for k, o in out.items() if k not in ("broken_metric",
                                                                                      "partial_metric"))
    assert len(sent) < len(exprs) / 2  # 33 expressions, two faults
    assert "broken_metric" in sent and "partial_metric" in sent  # each fault alone, as written
    assert any("vector(1 + 1)" in q for q in sent)  # scalars are wrapped to combine


def test_a_5xx_is_not_split():
    with ScriptedServer() as srv:
        srv.route("POST", "/api/v1/query", Reply(503, "overloaded"))
        with pytest.raises(BadResponse):
            evaluate(client(srv.url), [(f"x{i}", False) for i in range(32)], at=1_700_000_000.0)
        assert len(srv.requests) == Policy().attempts  # the retries of one request, nothing more
