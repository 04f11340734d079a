"""A small project of SLOs for the SLO tests: ratio (errors and good), latency and grouped
SLOs at the windows users pick (7d, 28d, 30d, 90d)."""

from __future__ import annotations

from pathlib import Path

import pytest

from obs.pipeline import build

WINDOWS = ("7d", "28d", "30d", "90d")

PROJECT = """apiVersion: obs/v1
kind: Project
metadata: {name: slotest}
spec:
  sources: ["services/*.yaml"]
  targets: [prometheus]
  defaults:
    labels: {cluster: test}
"""

SERVICE = """apiVersion: obs/v1
kind: Service
metadata: {name: api-%(name)s, team: core}
spec:
  slos:
    - name: availability
      objective: 99.9
      window: %(window)s
      sli:
        ratio:
          errors: http_requests_total{job="api", code=~"5.."}
          total: http_requests_total{job="api"}
      alerting: {absent: {for: 10m}, runbook: https://runbooks.example.com/api}
    - name: latency
      objective: 99
      window: %(window)s
      sli:
        latency:
          histogram: http_request_duration_seconds_bucket{job="api"}
          threshold: 300ms
    - name: routes
      objective: 99.5
      window: %(window)s
      sli:
        ratio:
          good: http_requests_total{job="api", code!~"5.."}
          total: http_requests_total{job="api"}
          groupBy: [route]
"""


def write_project(root: Path, services: dict[str, str], project: str = PROJECT) -> Path:
    (root / "services").mkdir(parents=True, exist_ok=True)
    (root / "obs.yaml").write_text(project)
    for name, text in services.items():
        (root / "services" / f"{name}.yaml").write_text(text)
    return root


@pytest.fixture(scope="session")
def slo_project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("slotest")
    return write_project(root, {w: SERVICE % {"name": w, "window": w} for w in WINDOWS})


@pytest.fixture(scope="session")
def slo_build(slo_project):
    return build(slo_project, run_checks=True)
