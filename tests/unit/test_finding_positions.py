"""Each finding is reported once, at the line a person edits, and a broken file is reported as the cause
without echoes in the files that refer to it (issue 11, "Positions and noise")."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import run_obs

PROJECT = """apiVersion: obs/v1
kind: Project
metadata: {{name: p}}
spec:
  sources: ["*.yaml"]
  targets: [{targets}]
"""
SERVICE = """apiVersion: obs/v1
kind: Service
metadata:
  name: checkout
  team: payments
spec:
  alerts:
    - name: CheckoutDown
      expr: up == 0
      severity: critical
      summary: Down
"""


def _findings(proc) -> list[str]:
    return [line for line in proc.stderr.splitlines() if re.search(r": (error|warning)\[", line)]


def _project(root: Path, targets: str, **files: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "obs.yaml").write_text(PROJECT.format(targets=targets))
    for name, text in files.items():
        (root / f"{name}.yaml").write_text(text)
    return root


def test_a_bad_default_backend_is_one_configuration_error_at_obs_yaml(example_shop: Path):
    text = (example_shop / "obs.yaml").read_text()
    (example_shop / "obs.yaml").write_text(text.replace("backend: skywalking-oap.skywalking.svc:11800",
                                                        'backend: "skywalking-oap:abc"'))
    proc = run_obs("lint", cwd=example_shop)
    sw = [f for f in _findings(proc) if "[SW002]" in f]
    line = next(i for i, t in enumerate((example_shop / "obs.yaml").read_text().splitlines(), 1) if "oap:abc" in t)
    assert sw == [f"obs.yaml:{line}:16: error[SW002]: backend 'skywalking-oap:abc': 'abc' is not a port number"]
    assert proc.returncode == 2  # obs.yaml is configuration


def test_a_service_backend_is_still_reported_at_the_service(tmp_path: Path):
    svc = SERVICE.replace("spec:\n", "spec:\n  runtime: java\n  apm: {skywalking: {backend: 'oap:0'}}\n")
    proc = run_obs("lint", cwd=_project(tmp_path, "skywalking", s=svc))
    assert _findings(proc) == ["s.yaml:8:31: error[SW002]: backend 'oap:0': '0' is not a port number"]
    assert proc.returncode == 1


def test_unrouted_team_is_reported_at_the_team_and_a_line_suppression_reaches_it(tmp_path: Path):
    root = _project(tmp_path, "prometheus, alertmanager", s=SERVICE)
    assert _findings(run_obs("lint", cwd=root)) == [
        "s.yaml:5:9: warning[AM003]: alerts of team 'payments' reach no channel (checkout/CheckoutDown)"]
    (root / "s.yaml").write_text(SERVICE.replace("team: payments", "team: payments  # obs: disable=AM003"))
    proc = run_obs("lint", cwd=root)
    assert _findings(proc) == [] and proc.returncode == 0


def test_a_team_given_in_an_alerts_labels_is_reported_at_that_label(tmp_path: Path):
    svc = SERVICE + "      labels: {team: storage}\n"
    root = _project(tmp_path, "prometheus, alertmanager", s=svc, c="apiVersion: obs/v1\nkind: Channel\n"
                    "metadata: {name: pay}\nspec: {type: webhook, url: {env: HOOK}, match: {team: payments}}\n")
    assert _findings(run_obs("lint", cwd=root)) == [
        "s.yaml:12:22: warning[AM003]: alerts of team 'storage' reach no channel (checkout/CheckoutDown)"]


CHANNELS = """apiVersion: obs/v1
kind: Channel
metadata: {name: payments-oncall}
spec:
  type: webhook
  url: {env: HOOK}
  match: {team: payments}
"""
LOGS = """apiVersion: obs/v1
kind: LogAlert
metadata: {name: payment-errors, service: checkout}
spec:
  query: 'log:"PaymentException"'
  when: count > 5 in 5m
  severity: warning
  summary: Payment errors
"""


def test_a_broken_channel_file_is_the_only_finding(tmp_path: Path):
    """Without the fix: AM003 and LG006 (nothing routes the team) and RF005 (the channel is unknown)."""
    svc = SERVICE.replace("      summary: Down\n", "      summary: Down\n      notify: [payments-oncall]\n")
    root = _project(tmp_path, "prometheus, alertmanager, elastalert", s=svc, logs=LOGS,
                    channels=CHANNELS.replace("type: webhook", "type: webhook: x"))
    proc = run_obs("lint", cwd=root)
    assert _findings(proc) == ["channels.yaml:5:16: error[YM001]: mapping values are not allowed in this context"]
    (root / "channels.yaml").write_text(CHANNELS)
    proc = run_obs("lint", cwd=root)
    assert _findings(proc) == [] and proc.returncode == 0


def test_a_broken_service_file_gives_no_unknown_team_or_service(tmp_path: Path):
    """Without the fix: AM004 (the channel's team is no team's) and RF007 (the log alert's service is unknown)."""
    root = _project(tmp_path, "prometheus, alertmanager, elastalert", channels=CHANNELS, logs=LOGS,
                    s=SERVICE.replace("team: payments", "team: [payments"))
    assert _findings(run_obs("lint", cwd=root)) == [
        "s.yaml:6:5: error[YM001]: while parsing a flow sequence; did not find expected ',' or ']'"]


def test_problems_that_do_not_depend_on_the_broken_file_are_still_reported(example_shop: Path):
    (example_shop / "alerts" / "kubernetes.yaml").write_text("groups: [\n")
    checkout = example_shop / "services" / "checkout.yaml"
    checkout.write_text(checkout.read_text().replace("objective: 99.9", "objective: 120", 1))
    codes = [re.search(r"\[(\w+)\]", f).group(1) for f in _findings(run_obs("lint", cwd=example_shop))]
    assert codes == ["YM001", "SC004"]
