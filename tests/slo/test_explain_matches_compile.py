"""`obs explain` describes exactly what `obs compile` writes (issue #11): the severity of each
tier is read from the compiled rule file, never from a table of explain's own."""

from __future__ import annotations

import yaml
from helpers import run_obs

PROJECT = """apiVersion: obs/v1
kind: Project
metadata: {name: explain}
spec:
  sources: ["*.yaml"]
  targets: [prometheus]
"""
SLOTH = """version: prometheus/v1
service: api
labels: {team: core}
slos:
  - name: avail
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total[{{.window}}]))
    alerting:
      name: ApiBurn
      page_alert: {labels: {severity: page}}
      ticket_alert: {labels: {severity: ticket}}
"""
OBS = """apiVersion: obs/v1
kind: Service
metadata: {name: web, team: core}
spec:
  slos:
    - name: avail
      objective: 99.5
      sli: {ratio: {errors: 'x{code="500"}', total: x}}
      alerting:
        ticket: {labels: {severity: info}}
"""


def _compiled_severities(root, service) -> set[tuple[str, str]]:
    rules = yaml.safe_load((root / "out" / "prometheus" / f"{service}.rules.yaml").read_text())
    return {(r["alert"], r["labels"]["severity"]) for g in rules["groups"] for r in g["rules"] if "alert" in r}


def _explained_severities(root, target) -> dict[str, str]:
    result = run_obs("explain", target, cwd=root)
    assert result.returncode == 0, result.stderr
    return {row.split()[0]: row.split()[1] for row in result.stdout.splitlines()
            if row.split()[:1] in (["page"], ["ticket"]) and len(row.split()) > 5}


def test_explain_prints_the_severities_compile_writes(tmp_path):
    (tmp_path / "obs.yaml").write_text(PROJECT)
    (tmp_path / "sloth.yaml").write_text(SLOTH)
    (tmp_path / "web.yaml").write_text(OBS)
    compiled = run_obs("compile", cwd=tmp_path)
    assert compiled.returncode == 0, compiled.stderr
    for service, alert, expected in (("api", "ApiBurn", {"page": "page", "ticket": "ticket"}),
                                     ("web", "ErrorBudgetBurn", {"page": "critical", "ticket": "info"})):
        explained = _explained_severities(tmp_path, f"{service}/avail")
        assert explained == expected
        assert {(alert, s) for s in explained.values()} == _compiled_severities(tmp_path, service)


def test_the_slo_dashboard_names_the_compiled_severities(tmp_path):
    from obs.dashboards.sloview import slo_views
    from obs.pipeline import build
    (tmp_path / "obs.yaml").write_text(PROJECT)
    (tmp_path / "sloth.yaml").write_text(SLOTH)
    (view,) = slo_views(build(tmp_path).catalog, "api")
    assert {(a.tier, a.severity) for a in view.alerts} == {("page", "page"), ("ticket", "ticket")}
