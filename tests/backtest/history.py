"""Known Prometheus history for the backtest tests: counters written as OpenMetrics with a pinned
clock, turned into TSDB blocks by `promtool tsdb create-blocks-from openmetrics`, served by a real
Prometheus (tests/live/servers.py) over that data folder."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

#: the pinned clock: a whole hour (2023-11-14T22:00:00Z), so tiles and steps align
T0 = 1_699_999_200
STEP = 60


@dataclass(frozen=True)
class Phase:
    minutes: int
    ratio: float  # error share of the traffic
    traffic: float = 1000.0  # requests per minute
    gap: bool = False  # no samples at all (a scrape outage)


def openmetrics(service: str, phases: list[Phase], start: float = T0) -> str:
    """Two counters (status 200 and 500) for `service`, one sample a minute, following `phases`."""
    good, bad = 0.0, 0.0
    rows: dict[str, list[str]] = {"200": [], "500": []}
    t = start
    for p in phases:
        for _ in range(p.minutes):
            good += p.traffic * (1 - p.ratio)
            bad += p.traffic * p.ratio
            if not p.gap:
                rows["200"].append(f'http_requests_total{{service="{service}",status="200"}} {good:.6f} {t:.0f}')
                rows["500"].append(f'http_requests_total{{service="{service}",status="500"}} {bad:.6f} {t:.0f}')
            t += STEP
    return "\n".join(rows["200"] + rows["500"])


def blocks(tmp: Path, families: list[str]) -> Path:
    """A TSDB data folder holding the samples of `families` (OpenMetrics sample lines)."""
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (scripts/test.sh installs Debian's prometheus)")
    text = "# TYPE http_requests counter\n" + "\n".join(families) + "\n# EOF\n"
    source = tmp / "history.om"
    source.write_text(text)
    data = tmp / "data"
    data.mkdir()
    done = subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", str(source), str(data)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return data


PROJECT = """apiVersion: obs/v1
kind: Project
metadata: {{name: bt}}
spec:
  sources: ["services/*.yaml"]
  targets: [prometheus{targets}]
  environments:
    test:
      prometheus: {{url: "{prometheus}"}}
{extra}"""

SERVICE = """apiVersion: obs/v1
kind: Service
metadata: {{name: {name}, team: payments}}
spec:
  slos:
    - name: availability
      objective: 99.9
      sli:
        ratio:
          errors: http_requests_total{{service="{name}", status=~"5.."}}
          total: http_requests_total{{service="{name}"}}
      alerting:
        page: {{enabled: true}}
        ticket: {{enabled: true}}
"""


def project(root: Path, prometheus: str, services: list[str], extra: str = "", targets: str = "",
            more: dict[str, str] | None = None) -> Path:
    (root / "services").mkdir(parents=True, exist_ok=True)
    (root / "obs.yaml").write_text(PROJECT.format(prometheus=prometheus, extra=extra, targets=targets))
    for name in services:
        (root / "services" / f"{name}.yaml").write_text(SERVICE.format(name=name))
    for name, text in (more or {}).items():
        (root / "services" / name).write_text(text)
    return root
