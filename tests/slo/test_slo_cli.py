"""`obs explain` and `obs test` through the real CLI: output a person reads, exit codes CI reads."""

from __future__ import annotations

from pathlib import Path

from helpers import run_obs

PROJECT = """apiVersion: obs/v1
kind: Project
metadata: {name: cli}
spec:
  sources: ["services/*.yaml"]
  targets: [prometheus]
"""
SERVICE = """apiVersion: obs/v1
kind: Service
metadata: {name: checkout, team: payments}
spec:
  slos:
    - name: availability
      objective: 99.9
      sli:
        ratio:
          errors: http_requests_total{job="checkout", code=~"5.."}
          total: http_requests_total{job="checkout"}
  alerts:
    - name: CheckoutDown
      expr: up{job="checkout"} == 0
      for: 2m
      severity: critical
      summary: Checkout is down
"""
TEAM_TEST = """rule_files: [../out/prometheus/checkout.rules.yaml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'up{job="checkout"}'
        values: '1x5 0x10'
    alert_rule_test:
      - eval_time: 10m
        alertname: CheckoutDown
        exp_alerts:
          - exp_labels: {severity: critical, team: payments, service: checkout, job: checkout}
            exp_annotations: {summary: %s}
"""


def _project(tmp_path: Path, summary: str = "Checkout is down") -> Path:
    (tmp_path / "services").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "obs.yaml").write_text(PROJECT)
    (tmp_path / "services" / "checkout.yaml").write_text(SERVICE)
    (tmp_path / "tests" / "checkout.yaml").write_text(TEAM_TEST % summary)
    return tmp_path


def test_explain_prints_the_policy_table(tmp_path):
    result = run_obs("explain", "checkout/availability", cwd=_project(tmp_path))
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()]
    assert ["page", "critical", "1h", "5m", "14.4", "1.44%", "2%"] == rows[[r[:1] for r in rows].index(["page"])][:7]
    assert any(r[:6] == ["ticket", "warning", "3d", "6h", "1", "0.1%"] for r in rows)


def test_explain_unknown_slo_is_a_usage_error_with_the_choices(tmp_path):
    result = run_obs("explain", "checkout/latency", cwd=_project(tmp_path))
    assert result.returncode == 2
    assert "error[CF005]" in result.stderr and "checkout/availability" in result.stderr


def test_obs_test_runs_generated_and_team_tests(tmp_path):
    root = _project(tmp_path)
    assert run_obs("compile", cwd=root).returncode == 0
    result = run_obs("test", cwd=root, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checkout/availability outage" in result.stdout
    assert "tests/checkout.yaml" in result.stdout
    scenarios = sum(line.startswith("ok   checkout/availability ") for line in result.stdout.splitlines())
    assert scenarios >= 8
    assert result.stdout.splitlines()[-1] == f"{scenarios + 1} passed, 0 failed"  # + the team's test


def test_obs_test_counts_what_it_skips_on_its_last_line(tmp_path):
    """The count line CI reads: `N passed, M failed`, then `, K skipped` when something was."""
    root = _project(tmp_path)
    (root / "services" / "checkout.yaml").write_text(SERVICE.replace(
        """        ratio:
          errors: http_requests_total{job="checkout", code=~"5.."}
          total: http_requests_total{job="checkout"}""",
        """        raw:
          errorRatio: sum(rate(errors_total[$window])) / sum(rate(requests_total[$window]))"""))
    result = run_obs("test", "--no-own", cwd=root, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "skip checkout/availability: raw SLI: its PromQL is the team's own, obs cannot synthesise its series",
        "0 passed, 0 failed, 1 skipped"]


def test_a_failing_team_test_fails_obs_test(tmp_path):
    root = _project(tmp_path, summary="Something else")
    assert run_obs("compile", cwd=root).returncode == 0
    result = run_obs("test", "--no-generated", cwd=root, timeout=300)
    assert result.returncode == 1
    assert "tests/checkout.yaml" in result.stdout + result.stderr


def test_odd_team_test_files_fail_with_one_line_each(tmp_path):
    root = _project(tmp_path)
    (root / "obs.yaml").write_text(PROJECT + '  tests: ["tests/*.yaml", "missing/*.yaml"]\n')
    (root / "tests" / "not-yaml.yaml").write_text("rule_files: [checkout\n")
    (root / "tests" / "string.yaml").write_text("rule_files: checkout\ntests: []\n")
    (root / "tests" / "nowhere.yaml").write_text("rule_files: [no-such-service]\ntests: []\n")
    result = run_obs("test", "--no-generated", cwd=root, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    fails = {line.split(":")[0]: line for line in result.stdout.splitlines() if line.startswith("FAIL")}
    assert fails["FAIL tests/not-yaml.yaml"] == ("FAIL tests/not-yaml.yaml: not valid YAML: line 2, column 1: "
                                                 "expected ',' or ']', but got '<stream end>'")
    assert fails["FAIL tests/string.yaml"].startswith("FAIL tests/string.yaml: rule_files must be a list")
    assert "'no-such-service' is neither a compiled rule file" in fails["FAIL tests/nowhere.yaml"]
    assert "ok   tests/checkout.yaml" in result.stdout
    assert result.stdout.splitlines()[-1] == "1 passed, 3 failed"
    assert result.stderr.splitlines() == ["obs.yaml:7:10: warning[CF003]: tests pattern 'missing/*.yaml' matches "
                                          "no file"]


def test_team_tests_naming_out_from_their_folder_run_on_the_sources_not_a_stale_out(tmp_path):
    root = _project(tmp_path, summary="Checkout is gone")
    assert run_obs("compile", cwd=root).returncode == 0  # out/ says "Checkout is down"
    service = root / "services" / "checkout.yaml"
    service.write_text(service.read_text().replace("Checkout is down", "Checkout is gone"))
    result = run_obs("test", "--no-generated", cwd=root, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   tests/checkout.yaml" in result.stdout
