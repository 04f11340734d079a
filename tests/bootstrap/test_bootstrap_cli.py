"""Bad invocations are one line and exit 2: an unknown profile, a --set that is not key=value, a
parameter the profile does not have, a value of the wrong type, an unknown environment, -o on the
compile output. Parameters from obs.yaml land in the files, and --set wins over them."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.bootstrap.bootstrap_helpers import render
from tests.helpers import EXAMPLE_SHOP, copy_tree

ONE_LINE = re.compile(r"^(\S+:\d+:\d+: )?error\[BS0(0[1-9]|1\d)\]: [^\n]+$")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_tree(EXAMPLE_SHOP, tmp_path_factory.mktemp("cli") / "shop")


def _error_line(result) -> str:
    lines = [x for x in result.stderr.splitlines() if "error[" in x]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("args, code, words", [
    (["-p", "kubesfere"], "BS001", "unknown profile 'kubesfere'"),
    (["-p", "standalone", "--set", "prometheus.listen"], "BS002", "is not key=value"),
    (["-p", "standalone", "--set", "=1"], "BS002", "is not key=value"),
    (["-p", "standalone", "--set", "prometheus.lisen=1"], "BS003", "no parameter 'prometheus.lisen'"),
    (["-p", "kubesphere", "--set", "grafana.sidecar.imag=x"], "BS003", "no parameter 'grafana.sidecar.imag'"),
    (["-p", "kubesphere", "--set", "elastalert.runEveryMinutes=often"], "BS004", "takes number, not text"),
    (["-p", "kubesphere", "--set", "elastalert.resources=1"], "BS004", "takes mapping, not number"),
    (["-p", "standalone", "--env", "mars"], "BS008", "no environment 'mars'"),
    (["-p", "kubesphere", "--set", "elastalert.elasticsearch.url=http://es:port"], "BS005",
     "not a base 10 integer (at manifests/lib/obs.libsonnet:"),
])
def test_bad_invocations_are_one_line_and_exit_2(project, tmp_path, args, code, words):
    out = tmp_path / "stack"
    result = render(project, args[1], out, *args[2:])
    assert result.returncode == 2, result.stderr
    line = _error_line(result)
    assert ONE_LINE.match(line) and f"error[{code}]" in line and words in line, line
    assert not out.exists()  # nothing half-written


def test_output_folder_is_not_the_compile_output(project):
    result = render(project, "standalone", project / "out")
    assert result.returncode == 2 and "error[BS009]" in _error_line(result)


def _images(out) -> list[str]:
    deployment = [d for d in yaml.safe_load_all((out / "grafana.yaml").read_text()) if d and d["kind"] == "Deployment"]
    return [c["image"] for c in deployment[0]["spec"]["template"]["spec"]["containers"]]


def test_a_parameter_of_obs_yaml_lands_and_set_wins(project, tmp_path):
    obs_yaml = project / "obs.yaml"
    original = obs_yaml.read_text()
    obs_yaml.write_text(original.replace("  environments:\n", """  bootstrap:
    kubesphere:
      elastalert:
        writebackIndex: shop_elastalert
        elasticsearch: {url: "https://opensearch-cluster-data.kubesphere-logging-system.svc:9200"}
      grafana: {image: "grafana/grafana:11.5.2"}
  environments:
""", 1))
    try:
        first = render(project, "kubesphere", tmp_path / "a")
        second = render(project, "kubesphere", tmp_path / "b", "--set", "grafana.image=grafana/grafana:12.0",
                        "--set", "elastalert.runEveryMinutes=2")
        obs_yaml.write_text(original.replace("  environments:\n", "  bootstrap:\n    kubesprere: {}\n"
                                             "  environments:\n", 1))
        typo = render(project, "kubesphere", tmp_path / "c")
    finally:
        obs_yaml.write_text(original)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    ea = [d for d in yaml.safe_load_all((tmp_path / "a" / "elastalert.yaml").read_text()) if d]
    config = yaml.safe_load(ea[0]["data"]["config.yaml"])
    assert (config["writeback_index"], config["es_host"], config["use_ssl"]) == \
        ("shop_elastalert", "opensearch-cluster-data.kubesphere-logging-system.svc", True)
    assert _images(tmp_path / "a") == ["grafana/grafana:11.5.2", "kiwigrid/k8s-sidecar:1.30.3"]
    assert _images(tmp_path / "b")[0] == "grafana/grafana:12.0"  # text stays text, not the number 12.0
    assert "minutes: 2" in (tmp_path / "b" / "elastalert.yaml").read_text()
    assert typo.returncode == 2 and "no profile 'kubesprere'" in _error_line(typo)


def test_files_of_a_previous_render_it_no_longer_makes_are_removed(project, tmp_path):
    out = tmp_path / "stack"
    assert render(project, "standalone", out).returncode == 0
    assert (out / "prometheus" / "prometheus.yml").is_file()
    (out / "mine.txt").write_text("not obs's")
    again = render(project, "kubesphere", out, "--set", "swck.label=other")
    assert again.returncode == 0 and "6 removed" in again.stdout, again.stdout
    assert not (out / "prometheus").exists() and not (out / "systemd").exists()
    ns = yaml.safe_load((out / "namespaces.yaml").read_text())
    assert ns["metadata"]["labels"]["other"] == "enabled"
    assert (out / "mine.txt").read_text() == "not obs's"  # only files bootstrap wrote are its own


def test_env_gives_the_cluster_profiles_its_server_urls(project, tmp_path):
    """shop's prod environment names KubeSphere's Elasticsearch over https and its Prometheus."""
    assert render(project, "kubesphere", tmp_path / "prod", "--env", "prod").returncode == 0
    ea = [d for d in yaml.safe_load_all((tmp_path / "prod" / "elastalert.yaml").read_text()) if d]
    config = yaml.safe_load(ea[0]["data"]["config.yaml"])
    assert (config["es_host"], config["es_port"], config["use_ssl"]) == \
        ("elasticsearch-logging-data.kubesphere-logging-system.svc", 9200, True)


def test_env_elastalert_configmap_is_the_one_the_deployment_mounts(project, tmp_path):
    """An environment whose ElastAlert reads a ConfigMap (obs apply's elastalert configMap mode): the
    rendered Deployment mounts that ConfigMap, in that namespace."""
    obs_yaml = project / "obs.yaml"
    original = obs_yaml.read_text()
    obs_yaml.write_text(original.replace("  environments:\n", "  environments:\n    cluster:\n"
                                         "      elastalert: {configMap: shop-ea-rules, namespace: logging}\n", 1))
    try:
        result = render(project, "kubesphere", tmp_path / "c", "--env", "cluster")
    finally:
        obs_yaml.write_text(original)
    assert result.returncode == 0, result.stderr
    deployment = next(d for d in yaml.safe_load_all((tmp_path / "c" / "elastalert.yaml").read_text())
                      if d and d["kind"] == "Deployment")
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    assert (deployment["metadata"]["namespace"], volumes["rules"]["configMap"]["name"]) == ("logging", "shop-ea-rules")
