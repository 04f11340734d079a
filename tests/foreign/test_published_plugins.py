"""The published Sloth SLI plugins (sloth-common/…) as built-in SLI presets (issue 15): each
plugin's meaning written again in obs (obs/load/sloth_plugins.py); the PromQL they produce
parses, ratio plugins become obs ratio SLIs, their options are refused as the plugins refuse
them, and the behaviour is proven on promtool."""

from __future__ import annotations

import subprocess

import promql_parser
import pytest
from foreign_helpers import errors, lint_exit

from obs.load.sloth_plugins import PRESETS

OPTIONS = {"bucket": "0.25", "service": "cart", "namespace": "shop", "controller": "sloth",
           "backend_regex": "^cart$", "service_name_regex": "^shop-cart$", "burn_rate": "2", "jitter_percent": "10",
           "filter": 'job="cart",env="prod"', "exclude_errors": "true", "custom_rcode_regex": "(SERVFAIL|REFUSED)"}


@pytest.mark.parametrize("pid", sorted(PRESETS))
def test_every_preset_gives_promql_that_parses(pid):
    made = PRESETS[pid](dict(OPTIONS), {"objective": "99.9"})
    for key, query in made.items():
        promql_parser.parse(query.replace("$window", "5m"))
        if key != "raw":
            assert isinstance(promql_parser.parse(query), promql_parser.VectorSelector), (key, query)
    assert set(made) in ({"raw"}, {"errors", "total"}, {"good", "total"})


def spec(pid: str, options: str, name: str = "requests") -> str:
    return f"""
version: prometheus/v1
service: platform
slos:
  - name: {name}
    objective: 99.9
    sli:
      plugin:
        id: {pid}
        options: {options}
    alerting:
      name: PlatformBudgetBurn
"""


def test_a_ratio_plugin_becomes_an_obs_ratio_sli(project):
    result = project({"s.yaml": spec("sloth-common/kubernetes/apiserver/availability",
                                     "{filter: 'job=\"apiserver\",cluster=\"k8s-1\"'}")}, checks=True)
    assert lint_exit(result) == 0, errors(result)
    (slo,) = result.catalog.slos
    assert slo.spec.sli.ratio.errors == 'apiserver_request_total{job="apiserver",cluster="k8s-1",code=~"(5..|429)"}'
    assert slo.spec.sli.ratio.total == 'apiserver_request_total{job="apiserver",cluster="k8s-1"}'
    latency = project({"s.yaml": spec("sloth-common/istio/v1/latency",
                                      "{service: cart, namespace: shop, bucket: 300, exclude_errors: true}")})
    (slo,) = latency.catalog.slos
    assert slo.spec.sli.ratio.good == ('istio_request_duration_milliseconds_bucket{code!~"5..",destination_service_'
                                       'name="cart",destination_service_namespace="shop",le="300"}')


def test_plugin_options_are_refused_as_the_plugins_refuse_them(project):
    cases = {
        ("sloth-common/coredns/latency", "{}"): "option 'bucket' is required",
        ("sloth-common/slok-go-http-metrics/availability", "{}"): "option 'filter' is required",
        ("sloth-common/kubernetes/apiserver/availability", "{filter: 'job=apiserver'}"):
            "option 'filter' is not a Prometheus label filter: 'job=apiserver'",
        ("sloth-common/traefik/v2/availability", "{service_name_regex: '(x'}"):
            "option 'service_name_regex' is not a valid regular expression",
        ("sloth-common/istio/v1/latency", "{bucket: 0.3, service: cart, namespace: shop, exclude_errors: maybe}"):
            "option 'exclude_errors' must be true or false (got 'maybe')",
    }
    for (pid, options), reason in cases.items():
        (line,) = errors(project({"s.yaml": spec(pid, options)}))
        assert "error[IM050]" in line and f"Sloth SLI plugin {pid}: {reason}" in line, line


def test_other_plugins_are_still_go_code_obs_cannot_run(project):
    (line,) = errors(project({"s.yaml": spec("getting_started_availability", "{job: x}")}))
    assert line == "s.yaml:7:7: error[IM003]: Sloth SLI plugin 'getting_started_availability' is Go code obs cannot run"


FAKE_TEST = """
rule_files: [{rules}]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series: []
    promql_expr_test:
      - expr: count(ALERTS{{alertname="PlatformBudgetBurn", alertstate="firing", severity="critical"}}) or vector(0)
        eval_time: 10m
        exp_samples: [{{labels: "{{}}", value: {page}}}]
      - expr: count(ALERTS{{alertname="PlatformBudgetBurn", alertstate="firing", severity="warning"}}) or vector(0)
        eval_time: 10m
        exp_samples: [{{labels: "{{}}", value: {ticket}}}]
"""


@pytest.mark.parametrize("burn,page,ticket", [(20, 1, 1), (4, 0, 1), (0.5, 0, 0)])
def test_the_fake_plugin_burns_the_budget_at_its_rate_on_promtool(project, promtool, tmp_path, burn, page, ticket):
    """sloth-common/fake: a constant error ratio of burn_rate × budget: 20× pages (above 14.4 and 6),
    4× only tickets (above 3 and 1), 0.5× alerts nothing."""
    result = project({"s.yaml": spec("sloth-common/fake", f"{{burn_rate: '{burn}'}}")}, checks=True)
    assert lint_exit(result) == 0, errors(result)
    rules = next(a for a in result.artifacts if a.path == "prometheus/platform.rules.yaml")
    (tmp_path / "rules.yaml").write_bytes(rules.content)
    (tmp_path / "test.yaml").write_text(FAKE_TEST.format(rules="rules.yaml", page=page, ticket=ticket))
    done = subprocess.run([promtool, "test", "rules", "test.yaml"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_ratio_preset_passes_obs_behaviour_tests_on_promtool(project, promtool, tmp_path):
    from obs.slotest import runner
    result = project({"s.yaml": spec("sloth-common/kubernetes/nginx-ingress/availability",
                                     "{filter: 'ingress=\"shop\"'}")})
    work = tmp_path / "work"
    work.mkdir()
    cases, skipped = runner.generate(result.catalog, work)
    assert cases and not skipped
    text, failures = runner.report(runner.run(cases, work, promtool), skipped)
    assert failures == 0, text
