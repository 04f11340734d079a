"""`obs validate` against a real Prometheus scraping known series: the good project passes, and
each defect of the bad project is found at its definition's line, saying what exists instead."""

from __future__ import annotations

import re

import pytest

from tests.live.projects import BAD, GOOD, TOKEN, finding, validate, write

pytestmark = pytest.mark.live


def test_the_good_project_passes(good):
    assert good.returncode == 0, good.stderr
    assert "error[" not in good.stderr
    assert re.search(r"validate: \d+ checks ran", good.stderr), good.stderr
    skipped = [line for line in good.stderr.splitlines() if line.startswith("  skipped")]
    assert skipped and all("prometheus/" not in line and "alertmanager/" not in line for line in skipped), skipped
    assert "prometheus 2." in good.stderr and "alertmanager 0." in good.stderr  # the servers asked, with versions


def test_the_token_appears_nowhere(good, bad):
    for result in (good, bad):
        assert TOKEN not in result.stdout + result.stderr


def test_obs_own_recordings_are_info_until_applied(good):
    line = finding(good, "OWN-RECORDING", "LV019", "info", GOOD)
    assert "slo:error_budget_remaining:ratio is recorded by this project's rules" in line


def test_metrics_expected_elsewhere_are_info(good):
    assert "environment 'local'" in finding(good, "EXPECTED-IN-PROD", "LV020", "info", GOOD)
    finding(good, "OPTIONAL-METRIC", "LV020", "info", GOOD)  # optionalMetrics: ["mysql_*"]


def test_metrics_expected_here_are_errors(bad):
    finding(bad, "EXPECTED-HERE", "LV010")


def test_expected_in_must_name_a_defined_environment(bad):
    line = finding(bad, "EXPECTED-TYPO", "LV022", "warning")
    assert "'prd'" in line and "did you mean 'prod'?" in line


def test_an_slo_without_error_events_yet_is_a_warning(good):
    line = finding(good, "NO-ERRORS-YET", "LV011", "warning", GOOD)
    assert "no error events" in line and "status has 200" in line


def test_a_metric_without_series_suggests_the_one_that_exists(bad):
    line = finding(bad, "NO-METRIC", "LV010")
    assert "no series named http_requsts_total" in line
    assert "did you mean http_requests_total?" in line


def test_a_wrong_label_value_lists_the_values_and_suggests_one(bad):
    line = finding(bad, "WRONG-VALUE", "LV011")
    assert 'service="chekout"' in line and "service has cart, checkout" in line
    assert 'did you mean "checkout"?' in line


def test_a_label_no_series_has_suggests_the_label(bad):
    line = finding(bad, "WRONG-LABEL", "LV010")
    assert "has a label servce" in line and "did you mean service?" in line


def test_a_threshold_that_is_no_bucket_lists_the_bounds(bad):
    line = finding(bad, "NOT-A-BOUND", "LV012")
    assert "200ms is not a bucket bound" in line and "0.1, 0.3, 0.5, 1, +Inf" in line


def test_group_by_labels_must_exist(bad):
    assert "by (endpoint)" in finding(bad, "GROUP-BY", "LV013")
    assert "did you mean instance?" in finding(bad, "BY-TYPO", "LV013")


def test_rate_over_a_gauge_and_a_raw_counter(bad):
    assert "queue_depth, which is a gauge" in finding(bad, "RATE-GAUGE", "LV016")
    assert "jobs_processed_total is a counter" in finding(bad, "RAW-COUNTER", "LV017", "warning")


def test_a_rule_that_fails_on_evaluation(bad):
    assert "many-to-many matching not allowed" in finding(bad, "EVAL-ERROR", "LV014")


def test_rate_windows_against_the_scrape_interval(bad):
    line = finding(bad, "SHORT-WINDOW", "LV018")  # 5s < 2 × 3s: rate() has one sample at best
    assert "job batch is scraped every 3s" in line
    line = finding(bad, "OBS-WINDOW", "LV018", "warning")  # the 6s base window obs wrote, < 4 × 3s
    assert "rate() over 6s" in line and "obs's base window 6s" in line


def test_good_rate_windows_pass(good, bad):
    assert "LV018" not in good.stderr
    assert "job shop is scraped" not in bad.stderr  # 6s spans 6 scrapes of the 1s job


def test_dashboard_findings_are_warnings_at_the_service_one_per_metric(bad):
    """The python dashboard reads process metrics the target does not export; the red one groups by handler."""
    lines = [x for x in bad.stderr.splitlines()
             if ("[LV010]" in x or "[LV013]" in x) and ": dashboard obs-checkout-" in x]
    assert any("by (handler)" in x for x in lines) and any("process_cpu_seconds_total" in x for x in lines)
    assert all(x.startswith("defs.yaml:1:1: warning[") for x in lines)
    cpu = [x for x in lines if "process_cpu_seconds_total" in x]
    assert len(cpu) == 1 and "(panels 'CPU (cores)', 'CPU by instance')" in cpu[0]


def test_series_the_slo_dashboard_reads_before_apply_are_one_info_line(bad):
    lines = [x for x in bad.stderr.splitlines() if "dashboard obs-checkout-slo" in x]
    assert len(lines) == 1 and "info[LV019]" in lines[0] and "recorded by this project's rules" in lines[0]
    assert "ALERTS" not in lines[0]  # the SLO dashboard evaluates the burn alerts' conditions itself


def test_exit_code_one_on_findings(bad):
    assert bad.returncode == 1, bad.stderr


def _served(prometheus) -> dict[str, float]:
    """Prometheus's own count of the API requests it answered, by handler (from its /metrics)."""
    import urllib.request
    text = urllib.request.urlopen(prometheus.url + "/metrics", timeout=10).read().decode()
    totals: dict[str, float] = {}
    for m in re.finditer(r'^prometheus_http_requests_total\{(.*)\} (\S+)$', text, re.M):
        handler = re.search(r'handler="([^"]*)"', m[1])[1]
        if handler != "/metrics":
            totals[handler] = totals.get(handler, 0.0) + float(m[2])
    return totals


def test_selectors_are_batched_and_every_request_is_counted(tmp_path, prometheus, alertmanager):
    """Fewer /api/v1/series requests than unique selectors (many match[] each), fewer queries than
    rules (many expressions each), and the count obs prints is the count Prometheus served."""
    from obs.live.definitions import collect
    from obs.pipeline import build
    root = write(tmp_path / "p", BAD, defaults="    slo: {interval: 2s, baseWindow: 6s}")
    defs = collect(build(root))
    unique = {u.sel.text for e in defs.expressions for u in e.analysis.uses}
    rules = {e.text for e in defs.expressions if e.evaluate}
    before = _served(prometheus)
    result = validate(root, prometheus, alertmanager, "--target", "prometheus")
    after = _served(prometheus)
    delta = {h: after.get(h, 0) - before.get(h, 0) for h in after}
    sent = int(re.search(r"(\d+) requests sent", result.stderr)[1])
    assert sum(delta.values()) == sent
    assert len(unique) >= 15 and delta.get("/api/v1/series", 0) <= 2  # all selectors, then their metrics
    assert len(rules) >= 40 and delta.get("/api/v1/query", 0) < len(rules) / 3  # one of them fails: bisected
