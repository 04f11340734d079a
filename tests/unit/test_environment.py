"""Environments resolve `{env: NAME}` when a command runs, and never show secret values."""

from __future__ import annotations

from obs.live.environment import resolve_environment
from obs.load.validate import validate
from obs.load.yamlpos import load_documents
from obs.project import Project

PROJECT = """apiVersion: obs/v1
kind: Project
metadata: {name: p}
spec:
  environments:
    prod:
      prometheus: {url: {env: PROM_URL}}
      grafana: {url: "https://grafana.example.com/", token: {env: GRAFANA_TOKEN}}
      elasticsearch: {url: "https://es:9200", apiKey: {secret: {name: es, key: api-key}}}
"""


def _project() -> Project:
    docs, _ = load_documents(PROJECT, "obs.yaml")
    project, diags = validate(Project, docs[0][0], "obs.yaml")
    assert not diags
    return project


def test_values_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("PROM_URL", "http://127.0.0.1:9090")
    monkeypatch.setenv("GRAFANA_TOKEN", "glsa_secret_value")
    env, problems = resolve_environment(_project(), "prod")
    assert env.servers["prometheus"].url == "http://127.0.0.1:9090"
    assert env.servers["grafana"].url == "https://grafana.example.com"
    assert env.servers["grafana"].headers["Authorization"] == "Bearer glsa_secret_value"
    assert "glsa_secret_value" not in repr(env)
    assert [p.code for p in problems] == ["CF006"]  # the Kubernetes Secret cannot be read here
    assert all("glsa_secret_value" not in p.message for p in problems)


def test_missing_variable_is_one_line_at_its_place(monkeypatch):
    monkeypatch.delenv("PROM_URL", raising=False)
    monkeypatch.setenv("GRAFANA_TOKEN", "x")
    env, problems = resolve_environment(_project(), "prod")
    assert "prometheus" not in env.servers
    assert problems[0].render() == "obs.yaml:7:25: error[CF006]: environment variable PROM_URL is not set"


def test_unknown_environment():
    env, problems = resolve_environment(_project(), "staging")
    assert env is None and "environments: prod" in problems[0].message
