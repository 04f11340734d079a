"""The pure parts of the kubernetes target: keys and scope, the body sent (Secrets filled, as
data), what `diff -v` shows of a Secret, patch containment, REST paths, refusals worded."""

from __future__ import annotations

import base64
import json

from obs.apply.kubeapi import Resource, refusal
from obs.apply.kubeobjects import APPLIED, contains, make, shown, values_match
from obs.apply.secrets import Secrets
from obs.live.errors import Conflict, Rejected, Unauthorized

LABELS = {"app.kubernetes.io/managed-by": "obs", "obs.dev/project": "demo"}
SECRET_DOC = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "am", "namespace": "mon", "labels": LABELS},
              "stringData": {"alertmanager.yaml": "url: ${HOOK}\n"}}
VALUE = "https://hooks.example.com/T0k3n-abcdef"


def test_keys_name_the_namespace_of_namespaced_objects_only():
    s = Secrets({})
    cm = make({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}, "out/a.yaml", "dflt", s)
    receiver = make({"apiVersion": "notification.kubesphere.io/v2beta2", "kind": "Receiver",
                     "metadata": {"name": "r"}}, "out/a.yaml", "dflt", s)
    assert (cm.key, cm.body["metadata"]["namespace"]) == ("ConfigMap/dflt/x", "dflt")
    assert receiver.key == "Receiver/r" and "namespace" not in receiver.body["metadata"]
    assert cm.body["metadata"]["annotations"][APPLIED] and cm.rank < receiver.rank


def test_a_secret_is_filled_and_sent_as_data_and_shown_without_values():
    obj = make(SECRET_DOC, "out/am.yaml", "dflt", Secrets({"HOOK": VALUE}))
    assert "stringData" not in obj.body and obj.missing == []
    assert base64.b64decode(obj.body["data"]["alertmanager.yaml"]).decode() == f"url: {VALUE}\n"
    assert "${HOOK}" in SECRET_DOC["stringData"]["alertmanager.yaml"]  # the template is left as compiled
    text = shown(obj.body, secret=True)
    assert "alertmanager.yaml: <secret>" in text and VALUE not in text and obj.body["data"]["alertmanager.yaml"] \
        not in text and APPLIED not in text
    live = json.loads(json.dumps(obj.body))
    assert values_match(obj, live)
    live["data"]["alertmanager.yaml"] = base64.b64encode(b"other").decode()
    assert not values_match(obj, live)
    view = shown(live, True, live=live, want=obj.body)
    assert "alertmanager.yaml: <secret> (changed)" in view and "b3RoZXI=" not in view


def test_a_whole_placeholder_gets_the_raw_value_and_a_yaml_document_escaped_values():
    doc = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "env", "namespace": "mon"},
           "stringData": {"PASSWORD": "${PW}", "config.yml": 'url: "https://obs.invalid/${PW}"\n'}}
    obj = make(doc, "out/am.yaml", "dflt", Secrets({"PW": 'p"w\\1'}))
    data = {k: base64.b64decode(v).decode() for k, v in obj.body["data"].items()}
    assert data == {"PASSWORD": 'p"w\\1', "config.yml": 'url: "p\\"w\\\\1"\n'}


def test_a_missing_variable_is_reported_not_sent_empty():
    obj = make(SECRET_DOC, "out/am.yaml", "dflt", Secrets({}))
    assert obj.missing == ["HOOK"]


def test_a_patch_is_contained_when_each_of_its_fields_is_in_the_live_workload():
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "app", "env": [{"name": "A", "value": "1"}]}]}}}}
    live = {"spec": {"replicas": 2, "template": {"spec": {"containers": [
        {"name": "side", "image": "s"}, {"name": "app", "image": "i", "env": [{"name": "B", "value": "2"},
                                                                            {"name": "A", "value": "1"}]}]}}}}
    assert contains(live, patch)
    live["spec"]["template"]["spec"]["containers"][1]["env"][1]["value"] = "changed"
    assert not contains(live, patch)
    assert not contains({"spec": {}}, patch)


def test_rest_paths_of_core_group_cluster_and_namespaced_kinds():
    assert Resource("v1", "Secret", "secrets", True).path("mon", "am") == "/api/v1/namespaces/mon/secrets/am"
    assert Resource("v1", "Secret", "secrets", True).path(None) == "/api/v1/secrets"  # across namespaces
    assert Resource("notification.kubesphere.io/v2beta2", "Receiver", "receivers", False).path("x", "r") == \
        "/apis/notification.kubesphere.io/v2beta2/receivers/r"


def status(code: int, reason: str, message: str, causes=()) -> str:
    return json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message,
                       "reason": reason, "details": {"causes": list(causes)}, "code": code})


def test_refusals_are_one_readable_line():
    conflict = Conflict("kubernetes", "x answered 409", 409, status(409, "Conflict", "Apply failed with 2 conflicts", [
        {"reason": "FieldManagerConflict", "message": 'conflict with "helm" using v1', "field": ".data.a"},
        {"reason": "FieldManagerConflict", "message": 'conflict with "helm" using v1', "field": ".data.b"}]))
    line = refusal(conflict, "ConfigMap/mon/x")
    assert line.startswith("ConfigMap/mon/x: field conflict with manager helm (.data.a, .data.b)")
    invalid = Rejected("kubernetes", "x answered 422", 422, status(422, "Invalid", "ConfigMap \"x\" is invalid", [
        {"reason": "FieldValueTooLong", "message": "Too long: must have at most 1048576 bytes", "field": "data"}]))
    assert refusal(invalid, "ConfigMap/mon/x") == "ConfigMap/mon/x is invalid: data: Too long: must have at most " \
        "1048576 bytes"
    denied = Unauthorized("kubernetes", "x answered 403", 403, status(403, "Forbidden", 'configmaps "x" is forbidden'))
    assert "forbidden" in refusal(denied, "ConfigMap/mon/x") and "\n" not in refusal(denied, "ConfigMap/mon/x")
