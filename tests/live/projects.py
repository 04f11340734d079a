"""Projects for the live validation tests: a good one that must pass against the test
Prometheus and Alertmanager, and a bad one with one known defect per check, each at a line
the tests find by a marker in its text."""

from __future__ import annotations

import os
from pathlib import Path

from helpers import run_obs

TOKEN = "tok-Vx9-live-s3cr3t-4711"

PROJECT = """\
apiVersion: obs/v1
kind: Project
metadata: {{name: live}}
spec:
  sources: ["*.yaml"]
  targets: [{targets}]
  defaults:
    prometheus: {{scrapeInterval: 1s}}   # the test target is scraped every 1 s (and 3 s)
{defaults}
  environments:
    prod:
      prometheus: {{url: "http://prometheus.invalid:9090"}}
    local:
      prometheus:
        url: {{env: OBS_PROMETHEUS_URL}}
        token: {{env: OBS_PROMETHEUS_TOKEN}}
        optionalMetrics: ["mysql_*"]
      alertmanager:
        url: {{env: OBS_ALERTMANAGER_URL}}
"""

GOOD = """\
apiVersion: obs/v1
kind: Service
metadata: {name: checkout, team: payments}
spec:
  slos:
    - name: availability
      objective: 99.9
      sli:
        ratio:
          errors: http_requests_total{job="shop", service="checkout", status=~"5.."}
          total: http_requests_total{job="shop", service="checkout"}
          groupBy: [route]
    - name: latency
      objective: 99
      sli:
        latency:
          histogram: http_request_duration_seconds_bucket{job="shop", service="checkout"}
          threshold: 300ms
    - name: cart
      objective: 99
      sli:
        ratio:
          errors: http_requests_total{job="shop", service="cart", status=~"5.."}   # NO-ERRORS-YET
          total: http_requests_total{job="shop", service="cart"}
  alerts:
    - name: CheckoutTraffic
      expr: sum by (service) (rate(http_requests_total{job="shop"}[1m])) > 1000
      severity: warning
      summary: Much traffic
    - name: QueueDeep
      expr: max by (service) (queue_depth{job="shop"}) > 100
      severity: warning
      summary: Queue deep
    - name: BudgetGone
      expr: slo:error_budget_remaining:ratio{service="checkout"} < 0   # OWN-RECORDING
      severity: critical
      summary: Budget gone
    - name: RedisDown
      expr: redis_up{service="checkout"} == 0   # EXPECTED-IN-PROD
      severity: critical
      summary: Redis down
      expectedIn: [prod]
    - name: MysqlDown
      expr: mysql_up == 0   # OPTIONAL-METRIC
      severity: critical
      summary: MySQL down
---
apiVersion: obs/v1
kind: Channel
metadata: {name: payments-oncall}
spec:
  type: webhook
  url: https://hooks.example.com/payments
  match: {team: payments}
"""

BAD = """\
apiVersion: obs/v1
kind: Service
metadata: {name: checkout, team: payments}
spec:
  runtime: python
  slos:
    - name: slow-job
      objective: 99
      sli:
        ratio:
          errors: http_requests_total{job="batch", service="checkout", status=~"5.."}
          total: http_requests_total{job="batch", service="checkout"}   # OBS-WINDOW
    - name: latency
      objective: 99
      sli:
        latency:
          histogram: http_request_duration_seconds_bucket{job="shop", service="checkout"}
          threshold: 200ms   # NOT-A-BOUND
    - name: grouped
      objective: 99
      sli:
        ratio:
          errors: http_requests_total{job="shop", service="checkout", status=~"5.."}
          total: http_requests_total{job="shop", service="checkout"}
          groupBy: [endpoint]   # GROUP-BY
  alerts:
    - name: NoSuchMetric
      expr: rate(http_requsts_total{job="shop"}[1m]) > 1   # NO-METRIC
      severity: warning
      summary: x
    - name: WrongValue
      expr: rate(http_requests_total{job="shop", service="chekout"}[1m]) > 1   # WRONG-VALUE
      severity: warning
      summary: x
    - name: WrongLabel
      expr: rate(http_requests_total{job="shop", servce="checkout"}[1m]) > 1   # WRONG-LABEL
      severity: warning
      summary: x
    - name: ByTypo
      expr: sum by (instanse) (rate(http_requests_total{job="shop"}[1m])) > 1   # BY-TYPO
      severity: warning
      summary: x
    - name: RateOverGauge
      expr: rate(queue_depth{job="shop"}[1m]) > 1   # RATE-GAUGE
      severity: warning
      summary: x
    - name: RawCounter
      expr: jobs_processed_total{job="shop"} > 1000   # RAW-COUNTER
      severity: warning
      summary: x
    - name: ManyToMany
      expr: sum by (service, job) (rate(http_requests_total[1m])) * on (service) queue_depth > 0   # EVAL-ERROR
      severity: warning
      summary: x
    - name: ShortWindow
      expr: rate(jobs_processed_total{job="batch"}[5s]) > 0   # SHORT-WINDOW
      severity: warning
      summary: x
    - name: ExpectedHere
      expr: redis_up == 0   # EXPECTED-HERE
      severity: critical
      summary: x
      expectedIn: [local]
    - name: ExpectedTypo
      expr: memcached_up == 0
      severity: critical
      summary: x
      expectedIn: [prd]   # EXPECTED-TYPO
---
apiVersion: obs/v1
kind: Channel
metadata: {name: payments-oncall}
spec:
  type: webhook
  url: https://hooks.example.com/payments
  match: {team: payments}
---
apiVersion: obs/v1   # UNREACHABLE-RECEIVER
kind: Channel
metadata: {name: forgotten}
spec:
  type: webhook
  url: https://hooks.example.com/forgotten
---
apiVersion: obs/v1
kind: Channel
metadata: {name: dashed}
spec:
  type: webhook
  url: https://hooks.example.com/dashed
  match: {"team-x": payments}   # AMTOOL-REFUSES
"""


def write(root: Path, source: str, targets: str = "prometheus, alertmanager", defaults: str = "    labels: {}") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "obs.yaml").write_text(PROJECT.format(targets=targets, defaults=defaults))
    (root / "defs.yaml").write_text(source)
    return root


def at(source: str, marker: str) -> str:
    """`defs.yaml:LINE:` of the line holding `marker`, as diagnostics start."""
    for n, line in enumerate(source.splitlines(), 1):
        if marker in line:
            return f"defs.yaml:{n}:"
    raise AssertionError(f"no {marker} in the source")


def url_line(server: str) -> str:
    """`obs.yaml:LINE:` of the url of `server` in environment local (where its failures point)."""
    lines = PROJECT.splitlines()
    start = lines.index("    local:")
    at_server = next(i for i in range(start, len(lines)) if lines[i] == f"      {server}:")
    return f"obs.yaml:{at_server + 2}:"


def validate(root: Path, prometheus, alertmanager, *args: str):
    """`obs validate --env local` on `root`, as a user runs it, against these servers."""
    env = {"OBS_PROMETHEUS_URL": prometheus.url if prometheus else "http://127.0.0.1:9",
           "OBS_PROMETHEUS_TOKEN": TOKEN, "OBS_ALERTMANAGER_URL": alertmanager.url if alertmanager else
           "http://127.0.0.1:9"}
    return run_obs("validate", "--env", "local", *args, cwd=root, env={**os.environ, **env})


def finding(result, marker: str, code: str, severity: str = "error", source: str = BAD) -> str:
    """The one line (with its hint) at `marker`'s line with `code`; fails showing all output if none."""
    prefix = at(source, marker)
    lines = result.stderr.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(prefix) and f"{severity}[{code}]" in line:
            hint = lines[i + 1] if i + 1 < len(lines) and lines[i + 1].startswith("  hint:") else ""
            return line + "\n" + hint
    raise AssertionError(f"no {severity}[{code}] at {prefix}\n{result.stderr}")


def checks_of(server: str) -> list[str]:
    """The names of the live checks that need `server`, from the registry."""
    from obs.live import _LIVE, load_all
    load_all()
    return sorted(c.name for c in _LIVE.values() if server in c.servers)
