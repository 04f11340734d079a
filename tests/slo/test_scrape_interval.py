"""Rate windows and the scrape interval (issue #11): `rate(x[1m])` over series scraped every
minute holds one sample, is always empty, and a 7d SLO compiled to it never burned. Every rate
window obs writes now holds at least 4 scrapes of `defaults.prometheus.scrapeInterval`.

The behaviour tests feed promtool series scraped every minute half a minute off the rule
evaluation, as a real Prometheus scrapes (targets are not aligned with rule evaluation);
promtool's own aligned samples would put two samples into a 1m window and hide the defect."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from obs import packs
from obs import slo as policy
from obs.checks.scrape import short_ranges
from obs.durations import seconds
from obs.pipeline import build
from obs.rulegen.slo import service_groups
from obs.targets.prometheus import rule_file
from obs.yamlout import dump

PROJECT = """apiVersion: obs/v1
kind: Project
metadata: {{name: scrape}}
spec:
  sources: ["*.yaml"]
  targets: [prometheus]
  defaults:
{defaults}
"""
SERVICE = """apiVersion: obs/v1
kind: Service
metadata: {{name: api, team: core}}
spec:
  slos:
    - name: avail
      objective: 99.9
      window: {window}
      sli:
        ratio:
          errors: http_requests_total{{job="api", code="500"}}
          total: http_requests_total{{job="api"}}
"""


def project(root: Path, window: str, scrape: str | None = None, extra: str = "") -> Path:
    defaults = (f"    prometheus: {{scrapeInterval: {scrape}}}\n" if scrape else "    labels: {}\n") + extra
    (root / "obs.yaml").write_text(PROJECT.format(defaults=defaults))
    (root / "api.yaml").write_text(SERVICE.format(window=window))
    return root


def rules_text(root: Path) -> str:
    result = build(root)
    assert [d.render() for d in result.diags.items if d.severity.value == "error"] == []
    return dump(rule_file(service_groups(result.catalog, "api")))


def every_rate_range(text: str) -> set[float]:
    ranges = set()
    for group in yaml.safe_load(text)["groups"]:
        for rule in group["rules"]:
            ranges |= {r for _, r in short_ranges(rule["expr"], float("inf"))}
    return ranges


@pytest.mark.parametrize("window,scrape,base", [("7d", None, "4m"), ("7d", "30s", "2m"), ("28d", None, "4m"),
                                                ("30d", None, "5m"), ("30d", "2m", "8m"), ("90d", None, "15m")])
def test_every_rate_window_holds_four_scrapes(tmp_path, window, scrape, base):
    text = rules_text(project(tmp_path, window, scrape))
    assert every_rate_range(text) == {seconds(base)}  # raw series are read once, at the base window
    assert seconds(base) >= 4 * seconds(scrape or "1m")
    assert f"slo:sli_error:ratio_rate{base}" in text


def test_a_30d_slo_is_unchanged_at_the_default_and_at_kube_prometheus_30s(tmp_path):
    texts = []
    for name, scrape in (("default", None), ("explicit", "1m"), ("kube-prometheus", "30s")):
        (tmp_path / name).mkdir()
        texts.append(rules_text(project(tmp_path / name, "30d", scrape)))
    default, explicit, faster = texts
    assert default == explicit == faster
    assert "[5m]" in default and "ratio_rate5m" in default  # the SRE workbook's windows, as before


def test_short_windows_below_the_base_read_the_base(tmp_path):
    text = rules_text(project(tmp_path, "7d"))
    assert "ratio_rate1m10s" not in text  # the page pair's scaled short window (5m × 7/30)
    page = next(r for g in yaml.safe_load(text)["groups"] for r in g["rules"] if r.get("labels", {}).get("severity")
                == "critical")
    assert page["expr"].startswith('(slo:sli_error:ratio_rate14m{service="api", slo="avail"} > (14.4 * 0.001) and '
                                   'slo:sli_error:ratio_rate4m{service="api", slo="avail"} > (14.4 * 0.001))')


@pytest.mark.parametrize("window,scrape,extra,fragment", [
    ("2d", None, "", "the page pair's short window scales to 20s; read at the base window 4m (4 × the scrape "
                     "interval 1m, the shortest window rate() can read) it is not shorter than its long window 4m"),
    ("3d", "2m", "", "the page pair's long window scales to 6m, shorter than the base window 8m (4 × the scrape "
                     "interval 2m, the shortest window rate() can read)"),
    ("30d", None, "    slo: {baseWindow: 2m}\n", "the base window 2m holds fewer than 4 scrapes at the scrape interval "
                                                "1m"),
])
def test_a_policy_the_scrape_interval_cannot_honour_is_an_error(tmp_path, window, scrape, extra, fragment):
    result = build(project(tmp_path, window, scrape, extra))
    (d,) = [d for d in result.diags.items if d.code == "SL003"]
    assert d.severity.value == "error" and fragment in d.message, d.message
    assert d.pos.file == "api.yaml" and d.pos.line == 8  # the SLO's window
    assert service_groups(result.catalog, "api") == []


def test_the_scrape_interval_is_a_duration(tmp_path):
    from obs.diagnostics import ObsError
    with pytest.raises(ObsError) as e:
        build(project(tmp_path, "7d", "fast"))
    assert e.value.diagnostics[0].code == "SC005"


@pytest.mark.parametrize("name", packs.available())
def test_every_shipped_pack_reads_four_scrapes_at_the_default_interval(name):
    pack, _, _ = packs.load(name)
    for _, rule in packs.alert_rules(pack, {}):
        assert short_ranges(rule.expr, 4 * policy.DEFAULT_SCRAPE) == [], rule.name


# ---- behaviour on promtool ------------------------------------------------------------------

RATE = 10.0  # requests per second


def scraped(per_minute: list[float], offset: int = 1) -> str:
    """Counter samples every minute, `offset` half-minutes after each evaluation, in a 30s test
    interval: `_ v0 _ v1 …` (promtool's `_` is a missing sample)."""
    values, total = [], 0.0
    for count in per_minute:
        total += count
        values += ["_", f"{total:g}"] if offset else [f"{total:g}", "_"]
    return " ".join(values)


def burst_test(rules: str, minutes: tuple[int, int, int]) -> dict:
    """Healthy, then 100% errors, then healthy again; the page alert must fire during the burst."""
    healthy, burst, after = minutes
    errors = [0.0] * healthy + [RATE * 60] * burst + [0.0] * after
    good = [RATE * 60] * healthy + [0.0] * burst + [RATE * 60] * after
    firing = 'ALERTS{alertname="ErrorBudgetBurn", service="api", slo="avail", severity="critical", alertstate="firing"}'
    end = healthy + burst + 1
    return {"rule_files": [rules], "evaluation_interval": "1m", "tests": [{
        "interval": "30s",
        "input_series": [{"series": 'http_requests_total{job="api", code="500"}', "values": scraped(errors)},
                         {"series": 'http_requests_total{job="api", code="200"}', "values": scraped(good)}],
        "promql_expr_test": [{"expr": f"clamp_max(count(count_over_time({firing}[{burst + 1}m])), 1) or vector(0)",
                              "eval_time": f"{end}m", "exp_samples": [{"labels": "{}", "value": 1}]}]}]}


def run_burst(root: Path, promtool: str) -> subprocess.CompletedProcess:
    (root / "api.rules.yaml").write_text(rules_text(root))
    (root / "burst.test.yaml").write_text(dump(burst_test("api.rules.yaml", (30, 10, 20))))
    return subprocess.run([promtool, "test", "rules", "burst.test.yaml"], cwd=root, capture_output=True, text=True,
                          timeout=300)


def test_a_7d_slo_at_a_1m_scrape_interval_pages_on_a_burst(tmp_path, promtool):
    result = run_burst(project(tmp_path, "7d"), promtool)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_1m_base_window_of_before_never_pages_on_the_same_burst(tmp_path, promtool):
    """The control: claiming a 15s scrape interval gives the old 1m base window; fed the same
    1m scrapes it records nothing and the page never fires, so the test above can fail."""
    root = project(tmp_path, "7d", "15s")
    assert "[1m]" in rules_text(root)
    result = run_burst(root, promtool)
    assert result.returncode == 1 and "clamp_max(count(count_over_time(ALERTS" in result.stdout + result.stderr


def test_a_30d_slo_pages_on_the_same_burst(tmp_path, promtool):
    result = run_burst(project(tmp_path, "30d"), promtool)
    assert result.returncode == 0, result.stdout + result.stderr


# ---- rules obs passes through or expands: SL020 ---------------------------------------------

ALERTS = """apiVersion: obs/v1
kind: Service
metadata: {name: api, team: core}
spec:
  uses:
    - pack: jvm
      with: {selector: 'application="api"'}
  alerts:
    - name: ApiErrors
      expr: sum(rate(x{code="500"}[1m])) / sum(rate(x[2m])) > 0.1 and rate(y[5m:10s]) > 0
      severity: warning
      summary: errors
"""


def sl020(root: Path, scrape: str | None) -> list[str]:
    (root / "obs.yaml").write_text(PROJECT.format(defaults=f"    prometheus: {{scrapeInterval: {scrape}}}\n"
                                                  if scrape else "    labels: {}\n"))
    (root / "api.yaml").write_text(ALERTS)
    result = build(root)
    return [f"{d.render()} | {d.hint}" for d in result.diags.sorted() if d.code == "SL020"]


def test_a_rate_over_one_scrape_interval_is_a_warning_at_the_expression(tmp_path):
    assert sl020(tmp_path, None) == [
        "api.yaml:10:13: warning[SL020]: alert ApiErrors: rate() over 1m holds at most one sample at the scrape "
        "interval 1m: it is always empty and the rule never fires | use [4m] or longer; "
        "defaults.prometheus.scrapeInterval says how often Prometheus scrapes",
        "api.yaml:10:13: warning[SL020]: alert ApiErrors: rate() over 2m holds fewer than 4 scrapes at the scrape "
        "interval 1m: one missed scrape leaves it empty | use [4m] or longer; "
        "defaults.prometheus.scrapeInterval says how often Prometheus scrapes"]  # the subquery is not a scrape


def test_at_a_15s_scrape_interval_the_same_rules_pass(tmp_path):
    assert sl020(tmp_path, "15s") == []


def test_a_pack_read_at_a_slower_scrape_interval_is_named_at_its_uses_entry(tmp_path):
    found = [w for w in sl020(tmp_path, "2m") if "rule pack" in w]
    assert found and all(w.startswith("api.yaml:6:7: warning[SL020]: alert ") for w in found)
    assert "of rule pack jvm: rate() over 5m holds fewer than 4 scrapes at the scrape interval 2m" in found[-1]
    assert "exclude it (with: {exclude: [JvmGcTimeHigh]})" in found[-1]


def test_a_zero_scrape_interval_is_refused(tmp_path):
    from obs.diagnostics import ObsError
    with pytest.raises(ObsError) as e:
        build(project(tmp_path, "7d", "0s"))
    assert e.value.diagnostics[0].code == "SC004" and "longer than 0" in e.value.diagnostics[0].message
