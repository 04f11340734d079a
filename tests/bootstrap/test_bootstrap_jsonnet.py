"""The jsonnet of manifests/: its own unit tests (manifests/tests/*.jsonnet, std.assertEqual) run
through the jsonnet package; imports are refused outside manifests/; and what a profile is told
(compiled notification-manager objects) lands in its files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from obs.bootstrap.facts import environment_facts
from obs.bootstrap.jsonnet import JsonnetError, evaluate
from obs.resources import resource_dir

MANIFESTS = resource_dir("manifests")
TESTS = sorted((MANIFESTS / "tests").glob("*.jsonnet"))


@pytest.mark.parametrize("file", TESTS, ids=[t.name for t in TESTS])
def test_manifest_unit_tests(file):
    results = evaluate(MANIFESTS, file)
    assert results and all(v is True for v in results.values()), results


def test_a_failing_assertion_fails(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "bad.jsonnet").write_text("{ x: std.assertEqual(1, 2) }")
    with pytest.raises(JsonnetError) as e:
        evaluate(tmp_path, tmp_path / "tests" / "bad.jsonnet")
    assert "Assertion failed. 1 != 2" in e.value.message and e.value.refused is None


@pytest.mark.parametrize("target", ["../../secret.libsonnet", "x/../../../secret.libsonnet", "ABSOLUTE",
                                    "link/secret.libsonnet"])
def test_imports_outside_manifests_are_refused(tmp_path, target):
    root = tmp_path / "manifests"
    (root / "lib").mkdir(parents=True)
    (tmp_path / "secret.libsonnet").write_text("{ token: 'outside' }")
    (root / "lib" / "link").symlink_to(tmp_path)  # a symlink that leads out
    target = str(tmp_path / "secret.libsonnet") if target == "ABSOLUTE" else target
    (root / "lib" / "main.jsonnet").write_text(f"(import '{target}').token")
    with pytest.raises(JsonnetError) as e:
        evaluate(root, root / "lib" / "main.jsonnet")
    assert e.value.refused == target and "outside manifests/" in e.value.message


def test_imports_inside_manifests_resolve_beside_the_file_then_in_lib(tmp_path):
    root = tmp_path / "manifests"
    (root / "lib").mkdir(parents=True)
    (root / "p").mkdir()
    (root / "lib" / "shared.libsonnet").write_text("{ v: 1 }")
    (root / "p" / "local.libsonnet").write_text("{ v: 2 }")
    (root / "p" / "main.jsonnet").write_text(
        "function(x) [(import 'shared.libsonnet').v, (import 'local.libsonnet').v,"
        " (import '../lib/shared.libsonnet').v, x]")
    assert evaluate(root, root / "p" / "main.jsonnet", x=3) == [1, 2, 1, 3]
    assert not os.path.exists(root / "p" / "shared.libsonnet")


def test_a_file_outside_manifests_is_not_evaluated(tmp_path):
    (tmp_path / "x.jsonnet").write_text("1")
    with pytest.raises(JsonnetError):
        evaluate(tmp_path / "manifests", tmp_path / "x.jsonnet")


def _told(notification_manager: list) -> dict:
    return {
        "project": "shop", "namespace": "kubesphere-monitoring-system", "ruleLabels": {"prometheus": "k8s",
        "role": "alert-rules"}, "labels": {}, "scrapeInterval": "1m", "logIndex": "logs-*",
        "timestampField": "@timestamp", "grafana": {"datasource": "prometheus", "folderAnnotation": "grafana_folder",
        "sidecarLabel": "grafana_dashboard"}, "alertmanager": {"secretName": "alertmanager-main", "configs": []},
        "elastalert": {"configMap": "elastalert-rules"}, "services": [], "alertmanagerConfig": None,
        "notificationManager": notification_manager,
        "environment": environment_facts(Path("/"), None),  # the shape facts.py gives: every key, null without --env
    }


def test_compiled_notification_manager_objects_are_pointed_at_or_included_as_compiled():
    receiver = {"apiVersion": "notification.kubesphere.io/v2beta2", "kind": "Receiver",
                "metadata": {"name": "payments-oncall", "labels": {"app.kubernetes.io/managed-by": "obs",
                                                                    "obs.dev/project": "shop", "type": "global"}},
                "spec": {"dingtalk": {"conversation": {"chatids": ["x"]}}}}
    folder = MANIFESTS / "kubesphere"
    told = _told([receiver])
    params = evaluate(MANIFESTS, folder / "params.libsonnet", obs=told)
    pointed = evaluate(MANIFESTS, folder / "main.jsonnet", obs=told, params=params)
    assert "notification-manager.yaml" not in pointed["files"]  # by default they stay in out/, for obs apply
    assert ["(Receiver) stay in out/kubernetes/notification-manager.yaml" in n for n in pointed["notes"]] == [True]
    params["notificationManager"]["include"] = True
    rendered = evaluate(MANIFESTS, folder / "main.jsonnet", obs=told, params=params)
    assert rendered["files"]["notification-manager.yaml"] == [receiver]
    assert "notification-manager.yaml" in rendered["files"]["kustomization.yaml"]["resources"]
    assert rendered["notes"] == []
    without = evaluate(MANIFESTS, folder / "main.jsonnet", obs=_told([]), params=params)
    assert "notification-manager.yaml" not in without["files"] and len(without["notes"]) == 1


def _kube_prometheus(told: dict, *sets: tuple[str, object]) -> dict:
    folder = MANIFESTS / "kube-prometheus"
    params = evaluate(MANIFESTS, folder / "params.libsonnet", obs=told)
    for key, value in sets:
        params["alertmanager"][key] = value
    return evaluate(MANIFESTS, folder / "main.jsonnet", obs=told, params=params)


def test_kube_prometheus_checks_alertmanager_selection():
    """mode secret: the Secret's name must be the stack's; mode alertmanagerconfig: each AlertmanagerConfig
    must carry the labels of the Alertmanager's alertmanagerConfigSelector."""
    told = _told([])
    told["ruleLabels"] = {"release": "kube-prometheus-stack"}
    assert _kube_prometheus(told)["warnings"] == []
    told["alertmanager"] = {"secretName": "alertmanager-kps", "configs": []}
    assert ["Secret alertmanager-kps" in w for w in _kube_prometheus(told)["warnings"]] == [True]
    told["alertmanager"] = {"secretName": None, "configs": [
        {"name": "shop-payments", "labels": {"alertmanagerConfig": "main", "obs.dev/project": "shop"}},
        {"name": "shop-data", "labels": {"obs.dev/project": "shop"}}]}
    assert _kube_prometheus(told)["warnings"] == []  # the default selector {} selects every one
    warned = _kube_prometheus(told, ("configSelector", {"alertmanagerConfig": "main"}))["warnings"]
    assert len(warned) == 1 and warned[0].endswith("(alertmanagerConfig=main): shop-data")
