"""Bad settings give one clear line each, at the YAML to edit; good ones do what they say."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import EXAMPLE_SHOP, copy_shop_fixture, copy_tree, run_obs
from tests.skywalking.conftest import PROJECT, compile_skywalking, load

OBS_YAML = """apiVersion: obs/v1
kind: Project
metadata: {name: shop}
spec:
  sources: ["services/*.yaml"]
  targets: [skywalking]
"""
SERVICE = """apiVersion: obs/v1
kind: Service
metadata: {{name: svc, team: t}}
spec:
  namespace: shop
  runtime: {runtime}
  workload: {workload}
  apm:
    skywalking: {apm}
"""


def project(tmp_path: Path, runtime: str = "java", apm: str = "{}", workload: str = "{}") -> Path:
    (tmp_path / "services").mkdir(parents=True)
    (tmp_path / "obs.yaml").write_text(OBS_YAML)
    (tmp_path / "services" / "svc.yaml").write_text(SERVICE.format(runtime=runtime, apm=apm, workload=workload))
    shutil.copytree(PROJECT / "k8s", tmp_path / "k8s")
    return tmp_path


BAD = [  # runtime, apm, workload, code, line:col, words in the message
    ("java", "{mode: sidecar}", "{}", "SC007", "9:24", "'sidecar' is not one of swck, init-container"),
    ("python", "{mode: swck}", "{}", "SW001", "9:24", "mode 'swck' injects the Java agent only"),
    ("java", "{backend: oap.skywalking.svc}", "{}", "SW002", "9:27", "has no port"),
    ("java", "{backend: 'oap:70000'}", "{}", "SW002", "9:27", "'70000' is not a port number"),
    ("java", "{backend: 'oap_$:11800'}", "{}", "SW002", "9:27", "is not a host name"),
    ("java", "{}", "{name: nope, file: k8s/order.yaml}", "SW003", "7:32",
     "k8s/order.yaml has no Deployment named 'nope' (it has Deployment/order-service, Service/order-service)"),
    ("java", "{}", "{file: k8s/missing.yaml}", "SW003", "7:20", "cannot read k8s/missing.yaml"),
    ("java", "{}", "{file: ../outside.yaml}", "SW003", "7:20", "is outside the project"),
    ("java", "{container: app}", "{name: order-service, file: k8s/order.yaml}", "SW004", "9:29",
     "has no container 'app' (it has order, log-shipper)"),
    ("python", "{install: init-container}", "{}", "SW001", "9:27", "runs pip in the application's image"),
    ("python", "{install: init-container, image: 'python:3.11'}", "{}", "SW005", "9:27",
     "needs the container's command"),
    ("go", "{}", "{}", "SW001", "9:17", "obs injects the SkyWalking agent for java, python and nodejs only"),
    ("nodejs", "{sampleRate: 10}", "{}", "SW001", "9:30", "the Node.js agent has no sampling setting"),
    ("java", "{plugins: {jdbc.trace: x}}", "{}", "SW006", "9:27", "'jdbc.trace' is not plugin.<name>.<setting>"),
    ("java", "{options: {logging.pattern: '%level %msg'}}", "{}", "SW006", "9:27", "contains white space"),
    ("java", "{env: {SW_AGENT_NAME: x}}", "{}", "SW006", "9:23", "obs sets SW_AGENT_NAME itself"),
    ("java", "{env: {SW_AGENT_AUTHENTICATION: s3cr3t}}", "{}", "SW008", "9:23", "written as text"),
    ("java", "{install: image}", "{}", "SW001", "9:27", "'install' applies to the Python agent"),
]


@pytest.mark.parametrize("runtime,apm,workload,code,where,words", BAD, ids=[b[3] + "-" + b[1] for b in BAD])
def test_bad_setting_is_one_line(tmp_path, runtime, apm, workload, code, where, words):
    root = project(tmp_path / "p", runtime, apm, workload)
    (tmp_path / "outside.yaml").write_text("kind: Deployment\n")
    _, diags = compile_skywalking(root)
    errors = [d for d in diags if d.severity.value == "error"]
    assert len(errors) == 1, [d.render() for d in errors]
    line = errors[0].render()
    assert line.startswith(f"services/svc.yaml:{where}: error[{code}]: "), line
    assert words in line and "\n" not in line and "s3cr3t" not in line


def test_the_cli_reports_bad_settings_without_a_traceback(tmp_path):
    root = project(tmp_path, "python", "{mode: swck}")
    run = run_obs("lint", cwd=root)
    assert run.returncode == 1
    assert "error[SW001]" in run.stdout + run.stderr and "Traceback" not in run.stderr


def test_python_default_mode_is_not_the_java_default(tmp_path):
    """The project default mode (init-container here, swck elsewhere) concerns Java only."""
    root = project(tmp_path, "python")
    (root / "obs.yaml").write_text(OBS_YAML + "  defaults: {skywalking: {mode: swck}}\n")
    files, diags = compile_skywalking(root)
    assert not [d for d in diags if d.severity.value == "error"]
    assert "SkyWalking python injection" in files["skywalking/svc/patch.yaml"]


def test_java_tool_options_appends_to_the_existing_value(compiled):
    patched = load(compiled["skywalking/order/patched-workload.yaml"])
    env = {e["name"]: e for e in patched["spec"]["template"]["spec"]["containers"][0]["env"]}
    tokens = env["JAVA_TOOL_OPTIONS"]["value"].split()
    assert tokens[:2] == ["-Xmx512m", "-XX:+UseG1GC"] and tokens[-1] == "-javaagent:/sky/agent/skywalking-agent.jar"
    assert "-Dskywalking.trace.ignore_path=/actuator/**,/health" in tokens
    assert env["SW_AGENT_SAMPLE"]["value"] == "100" and env["SW_AGENT_NAME"]["value"] == "shop::order"
    assert env["SPRING_PROFILES_ACTIVE"] == {"name": "SPRING_PROFILES_ACTIVE", "value": "prod"}
    assert env["SW_AGENT_AUTHENTICATION"]["valueFrom"] == {"secretKeyRef": {"name": "skywalking-auth", "key": "token"}}


def test_only_the_named_container_is_touched(compiled):
    before = load(compiled["skywalking/order/workload.yaml"])["spec"]["template"]["spec"]["containers"]
    after = load(compiled["skywalking/order/patched-workload.yaml"])["spec"]["template"]["spec"]["containers"]
    assert after[1] == before[1] == {"name": "log-shipper", "image": "fluent/fluent-bit:3.0"}
    gateway = load(compiled["skywalking/gateway/patch.yaml"])["spec"]["template"]["metadata"]["annotations"]
    assert gateway["strategy.skywalking.apache.org/inject.Container"] == "^gateway$"


def test_an_injected_manifest_compiles_to_the_same_output(tmp_path, compiled):
    """Idempotent at the source too: point spec.workload.file at the patched workload."""
    root = copy_tree(PROJECT, tmp_path / "p")
    for svc in ("order", "search", "ranker", "web"):
        kind = load(compiled[f"skywalking/{svc}/workload.yaml"])
        (root / "k8s" / f"{svc}.yaml").write_text(compiled[f"skywalking/{svc}/patched-workload.yaml"])
        assert kind
    files, _ = compile_skywalking(root)
    for svc in ("order", "search", "ranker", "web"):
        assert files[f"skywalking/{svc}/patched-workload.yaml"] == compiled[f"skywalking/{svc}/patched-workload.yaml"]
        assert files[f"skywalking/{svc}/patch.yaml"] == compiled[f"skywalking/{svc}/patch.yaml"]


def test_swck_writes_what_the_injector_reads(compiled):
    patch = load(compiled["skywalking/checkout/patch.yaml"])
    template = patch["spec"]["template"]["metadata"]
    assert template["labels"] == {"swck-java-agent-injected": "true"}
    ann = template["annotations"]
    assert ann["agent.skywalking.apache.org/agent.service_name"] == "shop::checkout"
    assert ann["agent.skywalking.apache.org/collector.backend_service"] == "skywalking-oap.skywalking.svc:11800"
    assert ann["agent.skywalking.apache.org/agent.sample_n_per_3_secs"] == "10000"
    assert ann["optional.skywalking.apache.org"] == "trace-ignore"
    assert ann["sidecar.skywalking.apache.org/env.Value"].endswith("-javaagent:/sky/agent/skywalking-agent.jar")
    assert "kubectl label namespace shop swck-injection=enabled" in compiled["skywalking/checkout/kustomization.yaml"]


def test_python_command_is_wrapped_once_with_prefork_for_gunicorn(compiled):
    search = load(compiled["skywalking/search/patched-workload.yaml"])["spec"]["template"]["spec"]["containers"][0]
    assert search["command"] == ["sw-python", "run", "-p", "gunicorn"]
    assert search["args"][0] == "search.app:app"
    ranker = load(compiled["skywalking/ranker/patched-workload.yaml"])["spec"]["template"]["spec"]
    assert ranker["containers"][0]["command"][:3] == ["/sky/python/bin/sw-python", "run", "python"]
    assert {"name": "PYTHONPATH", "value": "/sky/python:/app/lib"} in ranker["containers"][0]["env"]
    assert ranker["initContainers"][0]["image"] == ranker["containers"][0]["image"]


def test_nodejs_requires_the_agent_through_node_options(compiled):
    web = load(compiled["skywalking/web/patched-workload.yaml"])["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in web["env"]}
    assert env["NODE_OPTIONS"] == "--max-old-space-size=512 --require skywalking-backend-js/lib/egg"
    assert web["command"] == ["node", "server.js"]


@pytest.mark.parametrize("repo", ["example", "shared"])
def test_shop_compiles_one_folder_per_apm_service(tmp_path, repo):
    root = copy_tree(EXAMPLE_SHOP, tmp_path / "shop") if repo == "example" else copy_shop_fixture(tmp_path / "shop")
    files, diags = compile_skywalking(root)
    assert not [d.render() for d in diags if d.code.startswith("SW")]
    assert {p.split("/")[1] for p in files} == {"checkout", "order", "recommend"}
    assert "SkyWalking python injection" in files["skywalking/recommend/patch.yaml"]
