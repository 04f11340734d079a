"""`obs init DIR`: a working starter repository — obs.yaml, one service with an SLO, a
channel, and the CI templates of ci/. Never overwrites a file that exists."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from obs import codes
from obs.diagnostics import Diagnostic
from obs.resources import resource_dir
from obs.writer import atomic_write

PROJECT = """\
apiVersion: obs/v1
kind: Project
metadata:
  name: {name}
spec:
  sources: ["services/*.yaml", "services/*.yml", "channels.yaml"]
  dashboards: ["dashboards/*.dashboard.py"]
  outputDir: out
  targets: [prometheus, prometheus-operator, grafana, alertmanager]
  defaults:
    labels: {{cluster: prod}}
    slo: {{window: 30d}}
    prometheus: {{scrapeInterval: 1m}}   # how often Prometheus scrapes (KubeSphere 1m, kube-prometheus 30s)
    kubernetes: {{namespace: monitoring, ruleLabels: {{prometheus: k8s, role: alert-rules}}}}
  environments:
    prod:
      prometheus: {{url: "http://prometheus-k8s.monitoring.svc:9090"}}
      alertmanager: {{url: "http://alertmanager-main.monitoring.svc:9093"}}
"""

SERVICE = """\
# An example service: edit the selectors to match your metrics, then run `obs lint`.
apiVersion: obs/v1
kind: Service
metadata:
  name: example
  team: my-team
spec:
  namespace: default
  runtime: java
  slos:
    - name: availability
      objective: 99.9
      sli:
        ratio:
          errors: http_server_requests_seconds_count{{application="example", status=~"5.."}}
          total: http_server_requests_seconds_count{{application="example"}}
      alerting:
        notify: [my-team-oncall]
  alerts:
    - name: ExampleHighLatencyP99
      expr: histogram_quantile(0.99, sum by (le) (rate(http_server_requests_seconds_bucket{{application="example"}}[5m]))) > 1
      for: 10m
      severity: warning
      summary: Example p99 latency above 1s
"""

CHANNELS = """\
apiVersion: obs/v1
kind: Channel
metadata:
  name: my-team-oncall
spec:
  type: webhook
  url: {env: MY_TEAM_WEBHOOK_URL}   # never write a webhook URL with a key here
  match:
    team: my-team
"""

GITIGNORE = "out/\n"


def _project_name(directory: Path, name: str | None) -> str:
    raw = name or directory.resolve().name
    slug = re.sub(r"[^a-z0-9-]+", "-", raw.lower()).strip("-")[:63].strip("-")
    return slug or "observability"


def scaffold(directory: Path, name: str | None = None) -> tuple[list[Diagnostic], list[str]]:
    if (directory / "obs.yaml").exists():
        return [Diagnostic(codes.CONFIG_USAGE, f"{directory / 'obs.yaml'} exists already; obs init never overwrites",
                           config=True)], []
    files = {
        "obs.yaml": PROJECT.format(name=_project_name(directory, name)),
        "services/example.yaml": SERVICE.format(),
        "channels.yaml": CHANNELS,
        ".gitignore": GITIGNORE,
    }
    created = []
    for rel, text in files.items():
        path = directory / rel
        if not path.exists():
            atomic_write(path, text.encode("utf-8"))
            created.append(rel)
    templates = resource_dir("ci")
    for src in sorted(templates.glob("*")):
        dst = directory / "ci" / src.name
        if src.is_file() and not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            created.append(f"ci/{src.name}")
    (directory / "dashboards").mkdir(exist_ok=True)
    return [], created
