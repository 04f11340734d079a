"""The Kubernetes checks (CRDs, namespaces) against recorded API-server answers, reached the way
kubectl is: through the environment's kube context in a kubeconfig (no API server here)."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
import yaml

from obs.commands.validate import validate
from obs.live.kubernetes import connect
from tests.live.contract import clean, environ, serve, shop
from tests.live.scripted import ScriptedServer

pytestmark = pytest.mark.contract
TOKEN = "kube-s3cret-token-0123"


def kubeconfig(path, server: str, user: dict) -> str:
    doc = {"apiVersion": "v1", "kind": "Config", "current-context": "other",
           "clusters": [{"name": "c1", "cluster": {"server": server}},
                        {"name": "c2", "cluster": {"server": "http://127.0.0.1:9"}}],
           "users": [{"name": "u1", "user": user}, {"name": "u2", "user": {"token": "not-this-one"}}],
           "contexts": [{"name": "contract", "context": {"cluster": "c1", "user": "u1"}},
                        {"name": "other", "context": {"cluster": "c2", "user": "u2"}}]}
    path.write_text(yaml.safe_dump(doc))
    return str(path)


def run(tmp_path, monkeypatch, *recordings, user=None):
    root = shop(tmp_path)
    with ScriptedServer() as srv:
        serve(srv, "kubernetes", *recordings)
        environ(monkeypatch, kubeconfig=kubeconfig(tmp_path / "kubeconfig", srv.url, user or {"token": TOKEN}))
        out = validate(root, "contract", ["kubernetes"])
        clean(srv)
        auth = {r.headers.get("Authorization") for r in srv.requests}
    assert all(TOKEN not in f"{d.render()} {d.hint}" for d in out.diags)
    return out, auth


def test_contract_kubernetes_crds_and_namespaces_present(tmp_path, monkeypatch):
    out, auth = run(tmp_path, monkeypatch, "server", "present")
    assert out.diags == []
    assert {"live/kubernetes-crd", "live/kubernetes-namespace"} <= set(out.ran)
    assert auth == {f"Bearer {TOKEN}"}  # the context's user, not current-context's


def test_contract_kubernetes_missing_crd_unserved_version_missing_namespace(tmp_path, monkeypatch):
    out, _ = run(tmp_path, monkeypatch, "server", "present", "missing")
    got = sorted((d.code, d.message) for d in out.diags)
    assert [c for c, _ in got] == ["LV066", "LV066", "LV067"]
    assert "does not serve alerting.kubesphere.io/v2beta1 (it serves v2alpha1)" in got[0][1]
    assert "no CRD rulegroups.alerting.kubesphere.io" in got[1][1]
    assert "no namespace 'middleware'" in got[2][1]
    ns = next(d for d in out.diags if d.code == "LV067")
    assert ns.pos.file == "platform/stateful.yaml"  # the service whose rules go to middleware
    crd = next(d for d in out.diags if d.code == "LV066")
    assert crd.pos.file == "obs.yaml"


def test_contract_kubernetes_exec_user_is_one_config_line(tmp_path, monkeypatch):
    out, _ = run(tmp_path, monkeypatch, user={"exec": {"command": "aws", "apiVersion": "v1"}})
    assert [d.code for d in out.diags] == ["LV068"] and out.diags[0].config
    assert "exec/auth-provider" in out.diags[0].message and out.diags[0].pos.file == "obs.yaml"


def test_contract_kubernetes_missing_kubeconfig_and_down_server(tmp_path, monkeypatch):
    root = shop(tmp_path)
    environ(monkeypatch, kubeconfig=str(tmp_path / "absent"))
    out = validate(root, "contract", ["kubernetes"])
    assert [d.code for d in out.diags] == ["LV068"] and "cannot read kubeconfig" in out.diags[0].message
    environ(monkeypatch, kubeconfig=kubeconfig(tmp_path / "kc", "http://127.0.0.1:9", {"token": TOKEN}))
    out = validate(root, "contract", ["kubernetes"])
    assert [d.code for d in out.diags] == ["LV001"] and out.diags[0].config


def test_contract_kubernetes_client_certificate_data_private_and_removed(tmp_path):
    cert, key = base64.b64encode(b"CERT").decode(), base64.b64encode(b"KEY").decode()
    path = kubeconfig(tmp_path / "kc", "https://127.0.0.1:6443",
                      {"client-certificate-data": cert, "client-key-data": key})
    session = connect(Path(path), "contract")
    files = session._http.cert
    assert [open(f, "rb").read() for f in files] == [b"CERT", b"KEY"]
    assert all(os.stat(f).st_mode & 0o077 == 0 for f in files)
    assert "KEY" not in repr(session.endpoint)
    session.close()
    assert not any(os.path.exists(f) for f in files)


def test_contract_kubernetes_unset_kubeconfig_variable_is_no_fallback(tmp_path, monkeypatch):
    root = shop(tmp_path)
    environ(monkeypatch)
    monkeypatch.delenv("OBS_CONTRACT_KUBECONFIG")
    monkeypatch.setenv("KUBECONFIG", kubeconfig(tmp_path / "kc", "http://127.0.0.1:9", {"token": TOKEN}))
    out = validate(root, "contract", ["kubernetes"])
    assert "OBS_CONTRACT_KUBECONFIG is not set" in out.diags[0].message
    assert len(out.diags) == 1 and out.diags[0].config
