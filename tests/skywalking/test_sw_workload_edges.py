"""Workload manifests as teams really have them: `kubectl get -o yaml` Lists, commands written as
one string, volumes or mount paths that already use the agent's names, variables from valueFrom
that obs does not touch. Each is either injected correctly or one line at `spec.workload.file`."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.skywalking.conftest import compile_skywalking, load
from tests.skywalking.test_settings import project


def _compile(tmp_path: Path, runtime: str, manifest: str, apm: str = "{}") -> tuple[dict[str, str], list[str]]:
    root = project(tmp_path / "p", runtime, apm, "{file: k8s/w.yaml}")
    (root / "k8s" / "w.yaml").write_text(textwrap.dedent(manifest).lstrip())
    files, diags = compile_skywalking(root)
    return files, [d.render() for d in diags if d.severity.value == "error"]


def _deployment(container: str, volumes: str = "") -> str:
    return f"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: svc}}
        spec:
          template:
            spec:
              {volumes}
              containers:
              - {container}
    """


def test_workload_inside_a_list_as_kubectl_get_writes_it(tmp_path):
    files, errors = _compile(tmp_path, "java", """
        apiVersion: v1
        kind: List
        items:
        - {apiVersion: v1, kind: Service, metadata: {name: svc}, spec: {ports: [{port: 80}]}}
        - apiVersion: apps/v1
          kind: Deployment
          metadata: {name: svc}
          spec:
            template:
              spec:
                containers: [{name: app, image: x}]
    """)
    assert errors == []
    patched = load(files["skywalking/svc/patched-workload.yaml"])
    assert patched["kind"] == "Deployment" and patched["spec"]["template"]["spec"]["initContainers"]
    assert load(files["skywalking/svc/workload.yaml"])["kind"] == "Deployment"


def test_workload_missing_from_a_list_names_what_the_list_holds(tmp_path):
    _, errors = _compile(tmp_path, "java", """
        apiVersion: v1
        kind: List
        items:
        - {apiVersion: v1, kind: Service, metadata: {name: svc}}
    """)
    assert len(errors) == 1 and errors[0].startswith("services/svc.yaml:7:20: error[SW003]: ")
    assert "(it has Service/svc)" in errors[0]


def test_command_written_as_one_string_is_one_line_not_a_command_of_letters(tmp_path):
    files, errors = _compile(tmp_path, "python", _deployment('{name: app, image: x, command: "gunicorn app:app"}'))
    assert "skywalking/svc/patch.yaml" not in files
    assert len(errors) == 1 and errors[0].startswith("services/svc.yaml:7:20: error[SW005]: "), errors
    assert "the command of container 'app' in k8s/w.yaml is not a list of strings" in errors[0]


def test_python_agent_in_the_image_ignores_pythonpath_from_value_from(tmp_path):
    """With install: image obs does not touch PYTHONPATH, so where its value comes from is not its concern."""
    container = ("{name: app, image: x, command: [python, app.py], "
                 "env: [{name: PYTHONPATH, valueFrom: {configMapKeyRef: {name: a, key: b}}}]}")
    files, errors = _compile(tmp_path, "python", _deployment(container))
    assert errors == []
    env = load(files["skywalking/svc/patched-workload.yaml"])["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "PYTHONPATH", "valueFrom": {"configMapKeyRef": {"name": "a", "key": "b"}}} in env
    _, errors = _compile(tmp_path / "init", "python", _deployment(container), "{install: init-container}")
    assert len(errors) == 1 and "PYTHONPATH of container 'app'" in errors[0] and "error[SW006]" in errors[0]


def test_a_volume_of_the_agents_name_that_is_not_its_empty_dir_is_refused(tmp_path):
    files, errors = _compile(tmp_path, "java", _deployment(
        "{name: app, image: x, volumeMounts: [{name: sky-agent, mountPath: /etc/agent}]}",
        "volumes: [{name: sky-agent, configMap: {name: agent-config}}]"))
    assert "skywalking/svc/patch.yaml" not in files
    assert len(errors) == 1 and errors[0].startswith("services/svc.yaml:7:20: error[SW009]: k8s/w.yaml: "), errors
    assert "volume 'sky-agent'" in errors[0] and "configMap" in errors[0]


def test_a_mount_path_the_agent_needs_that_holds_another_volume_is_refused(tmp_path):
    files, errors = _compile(tmp_path, "java", _deployment(
        "{name: app, image: x, volumeMounts: [{name: tools, mountPath: /sky/agent}]}",
        "volumes: [{name: tools, emptyDir: {}}]"))
    assert "skywalking/svc/patch.yaml" not in files
    assert len(errors) == 1 and "mounts volume 'tools' at /sky/agent" in errors[0], errors
