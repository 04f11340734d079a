"""`obs backtest` against a real Prometheus holding known history (promtool-built blocks with a
pinned clock): a burst pages within minutes and resolves as the policy's windows say, traffic at
half the budget never alerts, a scrape gap and a missing series are reported, never read as 0."""

from __future__ import annotations

import json

import pytest

from helpers import run_obs
from tests.backtest.history import T0, Phase, blocks, openmetrics, project
from tests.live.servers import Prometheus

pytestmark = pytest.mark.live

BURST_AT = T0 + 300 * 60  # 10 minutes of 100% errors from here
BURST_END = BURST_AT + 10 * 60
GAP = (T0 + 180 * 60, T0 + 210 * 60)
NOW = T0 + 550 * 60


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory, request):
    tmp = tmp_path_factory.mktemp("history")
    data = blocks(tmp, [openmetrics("burst", [Phase(300, 0), Phase(10, 1.0), Phase(240, 0)]),
                        openmetrics("steady", [Phase(550, 0.0005)]),
                        openmetrics("gappy", [Phase(180, 0), Phase(30, 0, gap=True), Phase(340, 0)])])
    server = Prometheus()
    request.addfinalizer(server.stop)
    return server.start(data=data)


@pytest.fixture(scope="module")
def root(tmp_path_factory, prometheus):
    return project(tmp_path_factory.mktemp("project"), prometheus.url, ["burst", "steady", "gappy", "ghost"],
                   more={"native.yaml": NATIVE})


#: a recording whose labels come from the data, read with matchers the rule does not fix
NATIVE = """apiVersion: obs/v1
kind: RuleGroup
metadata: {name: native, team: platform}
spec:
  interval: 1m
  rules:
    - record: service_status:requests:rate5m
      expr: sum by (service, status) (rate(http_requests_total[5m]))
      labels: {source: native}
    - alert: BurstErrors
      expr: service_status:requests:rate5m{status=~"5..", service="burst", source="native"} > 1
      for: 3m
      labels: {severity: info}
    - alert: BurstErrorsNow
      expr: service_status:requests:rate5m{status!="200", service="burst"} > 1
      labels: {severity: info}
    - alert: NeverMatches
      expr: service_status:requests:rate5m{source="other"} > 0
      labels: {severity: info}
"""


def backtest(root, *args):
    return run_obs("backtest", "--env", "test", "--since", "8h", "--now", str(NOW), "-C", str(root), *args,
                   cwd=root)


@pytest.fixture(scope="module")
def report(root):
    result = backtest(root, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def _ts(text: str) -> float:
    from datetime import datetime
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_a_burst_pages_within_minutes_and_resolves_when_the_short_window_clears(report):
    doc, _ = report
    pages = [f for f in doc["firings"] if f["labels"]["service"] == "burst" and f["labels"]["severity"] == "critical"]
    assert len(pages) == 1, doc["firings"]
    page = pages[0]
    assert page["alert"] == "ErrorBudgetBurn" and page["labels"]["slo"] == "availability"
    assert BURST_AT < _ts(page["start"]) <= BURST_AT + 5 * 60
    # the 6h/30m pair holds it: its 30m window (of 5m rates) still sees the burst until 35m after it ended
    assert BURST_END + 30 * 60 <= _ts(page["end"]) <= BURST_END + 40 * 60
    assert page["peak"] > 14.4 * 0.001 and page["ongoing"] is False


def test_traffic_at_half_the_budget_never_alerts_and_spends_its_share(report):
    doc, _ = report
    assert not [f for f in doc["firings"] if f["labels"]["service"] == "steady"]
    steady = next(s for s in doc["slos"] if s["slo"] == "steady/availability")
    assert steady["error_ratio"] == pytest.approx(0.0005, rel=0.01)
    assert steady["budget_spent"] == pytest.approx(0.5 * 8 / (30 * 24), rel=0.01)


def test_a_scrape_gap_is_reported_as_no_data(report):
    doc, stderr = report
    gaps = [g for g in doc["limits"] if g["kind"] == "no-data" and 'service="gappy"' in g["selector"]]
    assert gaps, doc["limits"]
    for g in gaps:
        assert GAP[0] <= _ts(g["start"]) <= GAP[0] + 3 * 60 and GAP[1] - 60 <= _ts(g["end"]) <= GAP[1] + 60
    assert "services/gappy.yaml" in stderr and "warning[BT005]" in stderr
    assert not [f for f in doc["firings"] if f["labels"]["service"] == "gappy"]


def test_a_series_that_never_existed_is_reported_not_read_as_zero(report):
    doc, stderr = report
    assert any(g["kind"] == "absent" and 'service="ghost"' in g["selector"] for g in doc["limits"])
    assert "warning[BT004]" in stderr and "ghost" in stderr
    ghost = next(s for s in doc["slos"] if s["slo"] == "ghost/availability")
    assert ghost["error_ratio"] is None and ghost["budget_spent"] is None


def test_fail_on_a_severity_exits_1_only_when_it_fired(root):
    assert backtest(root, "--fail-on", "critical").returncode == 1
    quiet = backtest(root, "--fail-on", "info", "steady")
    assert quiet.returncode == 0, quiet.stderr
    assert "would not have fired" in quiet.stdout


def test_text_shows_a_timeline_and_junit_a_failure_per_firing_alert(root):
    text = backtest(root, "burst").stdout
    assert "ErrorBudgetBurn critical (burst/availability): 1 firing" in text and "█" in text
    junit = backtest(root, "--format", "junit", "burst").stdout
    assert junit.count("<testcase") == 2 and junit.count("<failure") == 2


def test_usage_and_unreachable_servers_are_one_line_and_exit_2(root, tmp_path):
    bad = backtest(root, "--since", "yesterday")
    assert bad.returncode == 2 and "error[BT001]" in bad.stderr and "Traceback" not in bad.stderr
    unknown = backtest(root, "nosuch")
    assert unknown.returncode == 2 and "error[BT002]" in unknown.stderr
    fmt = backtest(root, "--format", "sarif")
    assert fmt.returncode == 2 and "error[BT010]" in fmt.stderr
    from tests.live.servers import free_port
    down = project(tmp_path / "down", f"http://127.0.0.1:{free_port()}", ["burst"])
    result = backtest(down)
    assert result.returncode == 2 and "error[LV001]" in result.stderr
    assert len([line for line in result.stderr.splitlines() if "error[" in line]) == 1


def _chromium(page):
    """The page as headless Chromium renders it (its DOM) and its console messages."""
    import shutil
    import subprocess
    browser = shutil.which("chromium")
    if browser is None:
        pytest.skip("chromium is not installed: scripts/setup-chromium.sh installs Debian's")
    done = subprocess.run([browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--enable-logging=stderr", "--v=0", f"--user-data-dir={page.parent / 'profile'}",
                           "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return done.stdout, console


def test_the_html_report_loads_in_a_browser_with_a_chart_per_slo(root, tmp_path):
    page = tmp_path / "report.html"
    result = backtest(root, "--html", str(page))
    assert result.returncode == 0, result.stderr
    text = page.read_text()
    assert "http://" not in text.replace(root.as_posix(), "") and "https://" not in text  # nothing fetched
    dom, console = _chromium(page)
    assert console == []
    assert 'data-charts="4"' in dom  # the page's own script ran and counted them
    for slo in ("burst", "steady", "gappy", "ghost"):
        assert dom.count(f'data-slo="{slo}/availability"') == 1
    assert "polyline" in dom and "#d62728" in dom  # lines drawn, and the burst's page firing shaded
    broken = tmp_path / "broken.html"  # the check sees a console error when there is one
    broken.write_text(text.replace("document.body.setAttribute", "document.body.nosuch"))
    assert _chromium(broken)[1]


def test_recordings_are_written_in_with_their_labels_and_for_delays_firing(report):
    doc, _ = report
    by = {}
    for f in doc["firings"]:
        by.setdefault(f["alert"], []).append(f)
    now, held = by["BurstErrorsNow"], by["BurstErrors"]
    assert len(now) == 1 and len(held) == 1, by.keys()
    assert held[0]["labels"] == {"alertname": "BurstErrors", "service": "burst", "status": "500",
                                 "source": "native", "severity": "info", "team": "platform"}
    assert BURST_AT <= _ts(now[0]["start"]) <= BURST_AT + 3 * 60  # the 03:00 sample holds the first errors
    assert _ts(held[0]["start"]) - _ts(now[0]["start"]) == 3 * 60  # pending for `for: 3m`, then firing
    assert held[0]["end"] == now[0]["end"] and BURST_END < _ts(now[0]["end"]) <= BURST_END + 6 * 60
    assert now[0]["peak"] == pytest.approx(1000 / 60, rel=0.05)
    assert "NeverMatches" not in by


class ShortRetention(Prometheus):
    """A Prometheus serving a data folder and keeping only `keep` of it."""

    def serve(self, data, keep: str) -> ShortRetention:
        from tests.live.servers import binary
        (self.work / "prometheus.yml").write_text("global: {scrape_interval: 1m}\n")
        self._spawn([binary("prometheus"), f"--config.file={self.work / 'prometheus.yml'}",
                     f"--storage.tsdb.path={data}", f"--web.listen-address=127.0.0.1:{self.port}",
                     f"--storage.tsdb.retention.time={keep}"], "/-/ready", timeout=120)
        return self


def test_the_range_older_than_retention_is_reported_and_not_evaluated(tmp_path):
    data = blocks(tmp_path, [openmetrics("steady", [Phase(550, 0.0005)])])
    server = ShortRetention()
    try:
        server.serve(data, "6h")
        root = project(tmp_path / "p", server.url, ["steady"])
        result = backtest(root, "--format", "json")
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    kept = [g for g in doc["limits"] if g["kind"] == "retention"]
    assert len(kept) == 1 and _ts(kept[0]["start"]) == NOW - 8 * 3600 and _ts(kept[0]["end"]) == NOW - 6 * 3600
    assert "warning[BT003]" in result.stderr and "obs.yaml" in result.stderr
    steady = doc["slos"][0]
    assert steady["budget_spent"] == pytest.approx(0.5 * 6 / (30 * 24), rel=0.01)  # 6h evaluated, not 8h
