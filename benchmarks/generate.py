"""A synthetic obs repository of a given size: N services, each with SLOs of every SLI kind,
alerts and log alerts — the shape of a large platform team's repository."""

from __future__ import annotations

import argparse
from pathlib import Path

PROJECT = """apiVersion: obs/v1
kind: Project
metadata: {{name: bench}}
spec:
  sources: ["services/*.yaml", "channels.yaml"]
  targets: [{targets}]
  defaults:
    labels: {{cluster: bench}}
"""

SERVICE = """apiVersion: obs/v1
kind: Service
metadata: {{name: svc-{i}, team: team-{team}}}
spec:
  namespace: ns-{team}
  runtime: java
  slos:
{slos}  alerts:
{alerts}  logAlerts:
{log_alerts}"""

ALERT = """    - name: Svc{i}HighLatency{k}
      expr: histogram_quantile(0.99, sum by (le) (rate(http_server_requests_seconds_bucket{{application="svc-{i}"{uri}}}[5m]))) > 1
      for: 10m
      severity: warning
      summary: svc-{i} p99 above 1s
"""

LOG_ALERT = """    - name: svc-{i}-errors{k}
      query: 'kubernetes.container_name:"svc-{i}" AND log:ERROR{text}'
      when: count > 20 in 5m
      severity: warning
      summary: svc-{i} logs errors
"""

SLO = """    - name: availability-{j}
      objective: 99.9
      sli:
        ratio:
          errors: http_server_requests_seconds_count{{application="svc-{i}", uri="/api/{j}", status=~"5.."}}
          total: http_server_requests_seconds_count{{application="svc-{i}", uri="/api/{j}"}}
    - name: latency-{j}
      objective: 99
      window: 28d
      sli:
        latency:
          histogram: http_server_requests_seconds_bucket{{application="svc-{i}", uri="/api/{j}"}}
          threshold: 300ms
"""

CHANNEL = """apiVersion: obs/v1
kind: Channel
metadata: {{name: team-{t}}}
spec:
  type: webhook
  url: {{env: TEAM_{t}_URL}}
  match: {{team: team-{t}}}
---
"""


def generate(root: Path, services: int, slo_pairs: int, targets: str, alerts: int = 1, log_alerts: int = 1) -> None:
    """`alerts` and `log_alerts` a service; the first of each is the one of earlier runs."""
    (root / "services").mkdir(parents=True, exist_ok=True)
    (root / "obs.yaml").write_text(PROJECT.format(targets=targets))
    teams = max(1, services // 10)
    (root / "channels.yaml").write_text("".join(CHANNEL.format(t=t) for t in range(teams)).rstrip("-\n") + "\n")
    for i in range(services):
        slos = "".join(SLO.format(i=i, j=j) for j in range(slo_pairs))
        alert = "".join(ALERT.format(i=i, k=k or "", uri=f', uri="/api/{k}"' if k else "") for k in range(alerts))
        logs = "".join(LOG_ALERT.format(i=i, k=k or "", text=f" AND {k}" if k else "") for k in range(log_alerts))
        (root / "services" / f"svc-{i}.yaml").write_text(SERVICE.format(i=i, team=i % teams, slos=slos,
                                                                         alerts=alert, log_alerts=logs))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--slo-pairs", type=int, default=5, help="ratio+latency SLO pairs per service")
    parser.add_argument("--targets", default="prometheus")
    parser.add_argument("--alerts", type=int, default=1, help="alerts per service")
    parser.add_argument("--log-alerts", type=int, default=1, help="log alerts per service")
    args = parser.parse_args()
    generate(args.root, args.services, args.slo_pairs, args.targets, args.alerts, args.log_alerts)
