"""Bad SLOs give one clear line each, with a stable code, at the line to edit."""

from __future__ import annotations

import pytest
from conftest_helpers import one_slo  # noqa: E402

from obs.pipeline import build

CASES = [
    ("ratio:\n          errors: sum(rate(x_total{code=\"500\"}[5m]))\n          total: x_total", "SL001",
     "errors must be a plain series selector"),
    ("latency:\n          histogram: x_seconds_count{job=\"a\"}\n          threshold: 300ms", "SL002",
     "does not end in _bucket"),
    ("ratio:\n          errors: x_total{route=\"/a\", code=\"500\"}\n          total: x_total{route=\"/a\"}\n"
     "          groupBy: [route]", "SL004", "groupBy label 'route' is pinned"),
]


@pytest.mark.parametrize("sli,code,text", CASES)
def test_bad_sli_is_one_line(tmp_path, sli, code, text):
    diags = [d for d in build(one_slo(tmp_path, sli), run_checks=True).diags.sorted() if d.code.startswith("SL")]
    assert len(diags) == 1, [d.render() for d in diags]
    assert diags[0].code == code and text in diags[0].message
    assert diags[0].pos is not None and diags[0].pos.file.endswith("svc.yaml") and diags[0].pos.line > 1


def test_window_scaled_below_the_base_window(tmp_path):
    root = one_slo(tmp_path, "ratio:\n          errors: x_total{code=\"500\"}\n          total: x_total", window="2d")
    diags = [d for d in build(root, run_checks=True).diags.sorted() if d.code == "SL003"]
    assert len(diags) == 1 and ("the page pair's short window scales to 20s; read at the base window 4m (4 × the "
                                "scrape interval 1m, the shortest window rate() can read) it is not shorter than its "
                                "long window 4m") in diags[0].message
    assert diags[0].pos.line == 8  # the window: line


def test_good_slo_has_no_findings(tmp_path):
    root = one_slo(tmp_path, "ratio:\n          errors: x_total{code=\"500\"}\n          total: x_total")
    assert [d.render() for d in build(root, run_checks=True).diags.sorted() if d.code.startswith("SL")] == []


def test_an_slo_without_any_burn_alert_is_a_warning(tmp_path):
    from helpers import lint_source
    result = lint_source(tmp_path, """apiVersion: obs/v1
kind: Service
metadata: {name: api, team: core}
spec:
  slos:
    - name: quiet
      objective: 99
      sli: {ratio: {errors: 'x{code="500"}', total: x}}
      alerting:
        page: {enabled: false}
        ticket: {enabled: false}
""")
    assert result.returncode == 0
    assert "s.yaml:10:9: warning[SL006]: SLO api/quiet has no burn-rate alert" in result.stderr


def test_severity_among_slo_labels_is_a_warning_not_silently_dropped(tmp_path):
    from helpers import lint_source
    result = lint_source(tmp_path, """apiVersion: obs/v1
kind: Service
metadata: {name: api, team: core}
spec:
  slos:
    - name: avail
      objective: 99
      sli: {ratio: {errors: 'x{code="500"}', total: x}}
      alerting:
        labels: {severity: info}
""")
    assert result.returncode == 0
    assert "s.yaml:10:17: warning[SL007]: SLO api/avail: `severity` in alerting.labels is ignored" in result.stderr
