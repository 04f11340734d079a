"""A setting the chosen agent release cannot honour is a warning at the setting, not silence:
apache-skywalking 1.1.0 has no sampling, so `sampleRate` did nothing with obs's old default."""

from __future__ import annotations

from pathlib import Path

import pytest

from obs.skywalking import versions
from tests.helpers import run_obs
from tests.skywalking.conftest import compile_skywalking, load

OBS_YAML = """apiVersion: obs/v1
kind: Project
metadata: {{name: shop}}
spec:
  sources: ["services/*.yaml"]
  targets: [skywalking]
  defaults: {{skywalking: {defaults}}}
"""
SERVICE = """apiVersion: obs/v1
kind: Service
metadata: {{name: svc, team: t}}
spec:
  namespace: shop
  runtime: {runtime}
  apm:
    skywalking:
      {apm}
"""


def _diags(tmp_path: Path, runtime: str, apm: str, defaults: str = "{}") -> tuple[dict, list[str]]:
    (tmp_path / "services").mkdir(parents=True, exist_ok=True)
    (tmp_path / "obs.yaml").write_text(OBS_YAML.format(defaults=defaults))
    (tmp_path / "services" / "svc.yaml").write_text(SERVICE.format(runtime=runtime, apm=apm))
    files, diags = compile_skywalking(tmp_path)
    return files, [d.render() + (f"\n  hint: {d.hint}" if d.hint else "") for d in diags
                   if d.code in ("SW020", "SW021")]


def test_the_default_python_agent_samples(tmp_path):
    files, found = _diags(tmp_path, "python", "{sampleRate: 50, install: init-container, image: 'python:3.11', "
                                              "command: [python, app.py]}")
    assert found == []
    init = load(files["skywalking/svc/patch.yaml"])["spec"]["template"]["spec"]["initContainers"][0]
    assert init["command"][-1] == f"apache-skywalking=={versions.PYTHON_AGENT_DEFAULT}"
    assert versions.release(versions.PYTHON_AGENT_DEFAULT) >= versions.PYTHON_ADDED["SW_SAMPLE_N_PER_3_SECS"]


def test_sample_rate_with_an_agent_that_cannot_sample(tmp_path):
    _, found = _diags(tmp_path, "python", "{agentVersion: '1.1.0', sampleRate: 50}")
    assert found == ["services/svc.yaml:9:43: warning[SW020]: sampleRate does nothing with apache-skywalking 1.1.0: "
                     "it reads SW_SAMPLE_N_PER_3_SECS from 1.2.0 on\n"
                     "  hint: set agentVersion to 1.2.0 or later (obs's default is 1.3.0)"]


def test_the_version_from_obs_yaml_is_named_in_the_hint(tmp_path):
    _, found = _diags(tmp_path, "python", "{sampleRate: 50}", defaults="{pythonAgentVersion: '1.1.0'}")
    assert len(found) == 1 and found[0].startswith("services/svc.yaml:9:20: warning[SW020]: sampleRate does nothing")
    assert "set defaults.skywalking.pythonAgentVersion in obs.yaml to 1.2.0 or later" in found[0]


@pytest.mark.parametrize("apm, words", [
    ("{agentVersion: '1.1.0', plugins: {plugin.grpc.ignored_methods: /a.B/C}}",
     "plugins: plugin.grpc.ignored_methods does nothing with apache-skywalking 1.1.0: it reads "
     "SW_PLUGIN_GRPC_IGNORED_METHODS from 1.2.0 on"),
    ("{agentVersion: '1.0.1', options: {agent.asyncio_enhancement: 'true'}}", "from 1.1.0 on"),
    ("{options: {agent.ignore_sufix: .jpg}}", "no release up to 1.3.0 reads SW_AGENT_IGNORE_SUFIX"),
    ("{agentVersion: '1.1.0', env: {SW_SAMPLE_N_PER_3_SECS: '5'}}", "env: SW_SAMPLE_N_PER_3_SECS does nothing"),
])
def test_python_settings_the_release_does_not_read(tmp_path, apm, words):
    _, found = _diags(tmp_path, "python", apm)
    assert len(found) == 1 and "warning[SW020]" in found[0] and words in found[0], found


@pytest.mark.parametrize("apm", [
    "{agentVersion: '1.2.0', sampleRate: 5, plugins: {plugin.flask.collect_http_params: 'true'}}",
    "{options: {kafka.reporter_config_acks: '1', agent.ignore_suffix: .jpg}}",
    "{agentVersion: '1.4.0', options: {agent.newer_setting: x}}",  # newer than obs knows: no guessing
    "{env: {SW_SOMETHING_ELSE: x}}",
])
def test_python_settings_the_release_reads(tmp_path, apm):
    assert _diags(tmp_path, "python", apm)[1] == []


def test_a_python_agent_version_that_is_not_a_release(tmp_path):
    _, found = _diags(tmp_path, "python", "{agentVersion: latest, install: init-container, image: 'python:3.11', "
                                          "command: [python, app.py]}")
    assert found == ["services/svc.yaml:9:22: error[SW021]: agentVersion 'latest' is not a release number of "
                     "apache-skywalking\n  hint: write the release, e.g. 1.3.0: `pip install apache-skywalking==<it>` "
                     "installs it, and obs checks the settings against it"]


def test_a_python_agent_older_than_the_names_obs_writes(tmp_path):
    _, found = _diags(tmp_path, "python", "{agentVersion: '0.8.0', sampleRate: 5}")
    assert len(found) == 1 and found[0].startswith("services/svc.yaml:9:22: warning[SW021]: apache-skywalking 0.8.0")


@pytest.mark.parametrize("apm, words", [
    ("{agentVersion: '8.12.0', options: {jvm.metrics_collect_period: '2'}}",
     "options: jvm.metrics_collect_period does nothing with the Java agent 8.12.0: jvm.metrics_collect_period "
     "exists from 8.14.0 on\n  hint: set agentVersion to 8.14.0 or later"),
    ("{agentVersion: '9.3.0', options: {agent.class_cache_mode: MEMORY}}",
     "agent.class_cache_mode was removed in 9.0.0\n  hint: remove it"),
    ("{mode: swck, agentVersion: '9.0.0', plugins: {plugin.solon.include_http_headers: x}}", "exists from 9.3.0 on"),
])
def test_java_settings_the_release_does_not_read(tmp_path, apm, words):
    _, found = _diags(tmp_path, "java", apm)
    assert len(found) == 1 and "warning[SW020]" in found[0] and words in found[0], found


@pytest.mark.parametrize("apm", ["{options: {agent.cluster: east}}",
                                 "{agentVersion: 'custom-build', options: {agent.class_cache_mode: MEMORY}}",
                                 "{sampleRate: 5, agentVersion: '8.8.0'}"])
def test_java_settings_the_release_reads(tmp_path, apm):
    assert _diags(tmp_path, "java", apm)[1] == []


def test_what_obs_writes_for_python_is_read_by_the_default_release(tmp_path):
    files, _ = _diags(tmp_path, "python", "{sampleRate: 5, ignorePaths: [/healthz]}")
    env = load(files["skywalking/svc/patch.yaml"])["spec"]["template"]["spec"]["containers"][0]["env"]
    default = versions.release(versions.PYTHON_AGENT_DEFAULT)
    assert {e["name"] for e in env} >= {"SW_AGENT_NAME", "SW_SAMPLE_N_PER_3_SECS", "SW_AGENT_TRACE_IGNORE_PATH"}
    assert [e["name"] for e in env if versions.python_lacks(e["name"], default)] == []


def test_the_default_is_the_newest_release_obs_knows():
    assert versions.release(versions.PYTHON_AGENT_DEFAULT) == versions.PYTHON_NEWEST_KNOWN
    assert not set(versions.PYTHON_ADDED) & versions.PYTHON_SINCE_1_0
    assert not set(versions.JAVA_ADDED) & set(versions.JAVA_REMOVED)


def test_a_bad_version_in_obs_yaml_is_a_configuration_error_reported_once(tmp_path):
    (tmp_path / "services").mkdir()
    (tmp_path / "obs.yaml").write_text(OBS_YAML.format(defaults="{pythonAgentVersion: latest}"))
    for name in ("a", "b"):
        (tmp_path / "services" / f"{name}.yaml").write_text(
            SERVICE.format(runtime="python", apm="{}").replace("name: svc", f"name: {name}"))
    run = run_obs("lint", cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    lines = [line for line in (run.stdout + run.stderr).splitlines() if "[SW021]" in line]
    assert lines == ["obs.yaml:7:47: error[SW021]: agentVersion 'latest' is not a release number of apache-skywalking"]
