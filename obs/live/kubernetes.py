"""The Kubernetes API server of an environment's kube context, read from the kubeconfig the way
kubectl reads it (server URL, CA, bearer token or client certificate), and the few reads
validate needs: /version, a CustomResourceDefinition, a Namespace.

Only the chosen context's credentials are used and none is ever printed. Inline `*-data`
values (base64) go to a private temporary folder for requests and are removed on close. exec
and auth-provider users (cloud plugins) are not run: obs says so, one line.
"""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from obs.live.environment import Endpoint
from obs.live.errors import BadResponse
from obs.live.http import Policy, Session

API_DOC = "https://kubernetes.io/docs/reference/kubernetes-api/"


class KubeconfigError(Exception):
    """The kubeconfig cannot give a usable endpoint for the context (message has no secret)."""


def kubeconfig_path(configured: str | None) -> Path:
    """obs.yaml's kubeconfig, else the first of $KUBECONFIG, else ~/.kube/config (as kubectl)."""
    if configured:
        return Path(configured).expanduser()
    env = os.environ.get("KUBECONFIG", "")
    paths = [p for p in env.split(os.pathsep) if p]
    for p in paths:
        if Path(p).expanduser().is_file():
            return Path(p).expanduser()
    return Path(paths[0]).expanduser() if paths else Path.home() / ".kube" / "config"


def _named(doc: dict, section: str, name: str, what: str) -> dict:
    for item in doc.get(section) or []:
        if isinstance(item, dict) and item.get("name") == name:
            return item.get(what) or {}
    raise KubeconfigError(f"kubeconfig has no {section[:-1]} {name!r}")


@dataclass
class _Files:
    folder: str | None = None

    def write(self, name: str, data: str) -> str:
        if self.folder is None:
            self.folder = tempfile.mkdtemp(prefix="obs-kube-")  # 0700
        path = os.path.join(self.folder, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            try:
                f.write(base64.b64decode(data, validate=True))
            except ValueError:
                raise KubeconfigError(f"kubeconfig {name}-data is not base64") from None
        return path

    def remove(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def _read(path: Path) -> dict:
    try:
        doc = yaml.safe_load(path.read_text())
    except OSError as e:
        raise KubeconfigError(f"cannot read kubeconfig {path} ({e.strerror or type(e).__name__})") from None
    except yaml.YAMLError:
        raise KubeconfigError(f"kubeconfig {path} is not YAML") from None
    if not isinstance(doc, dict):
        raise KubeconfigError(f"kubeconfig {path} is not a kubeconfig")
    return doc


def context_namespace(path: Path, context: str) -> str | None:
    """The namespace the context names (kubectl's default for objects that name none)."""
    return _named(_read(path), "contexts", context, "context").get("namespace") or None


def endpoint(path: Path, context: str, files: _Files) -> Endpoint:
    """The Endpoint of `context` in the kubeconfig at `path`."""
    doc = _read(path)
    ctx = _named(doc, "contexts", context, "context")
    cluster = _named(doc, "clusters", ctx.get("cluster", ""), "cluster")
    user = _named(doc, "users", ctx.get("user", ""), "user") if ctx.get("user") else {}
    server = cluster.get("server")
    if not server:
        raise KubeconfigError(f"kubeconfig cluster {ctx.get('cluster')!r} has no server")
    base = path.parent

    def file(key: str) -> str | None:
        if cluster.get(f"{key}-data") or user.get(f"{key}-data"):
            return files.write(key, (cluster.get(f"{key}-data") or user.get(f"{key}-data")))
        value = cluster.get(key) or user.get(key)
        return str((base / value).expanduser()) if value else None

    if user.get("exec") or user.get("auth-provider"):
        raise KubeconfigError(f"kubeconfig user {ctx.get('user')!r} authenticates with an exec/auth-provider "
                              "plugin, which obs does not run; use a token or client-certificate user")
    headers: dict[str, str] = {}
    token = user.get("token")
    if not token and user.get("tokenFile"):
        try:
            token = (base / user["tokenFile"]).expanduser().read_text().strip()
        except OSError:
            raise KubeconfigError(f"cannot read the tokenFile of kubeconfig user {ctx.get('user')!r}") from None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    cert, key = file("client-certificate"), file("client-key")
    return Endpoint("kubernetes", str(server).rstrip("/"), headers,
                    verify_tls=not cluster.get("insecure-skip-tls-verify", False),
                    ca_file=file("certificate-authority"), username=user.get("username"),
                    password=user.get("password"), cert=(cert, key) if cert and key else None)


class KubeSession(Session):
    """A Session whose temporary credential files go when it closes."""

    def __init__(self, ep: Endpoint, files: _Files, policy: Policy | None = None) -> None:
        super().__init__(ep, policy)
        self._files = files

    def close(self) -> None:
        super().close()
        self._files.remove()


def connect(path: Path, context: str, policy: Policy | None = None) -> KubeSession:
    files = _Files()
    try:
        return KubeSession(endpoint(path, context, files), files, policy)
    except BaseException:
        files.remove()
        raise


class Kubernetes:
    def __init__(self, session: Session) -> None:
        self.session = session

    def version(self) -> dict:
        doc = self.session.get_json("/version")
        if not isinstance(doc, dict) or "gitVersion" not in doc:
            raise BadResponse("kubernetes", f"{self.session.url('/version')} is not a Kubernetes API server")
        return doc

    def crd(self, name: str) -> dict | None:
        path = f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}"
        r = self.session.get(path, ok=(404,))
        return None if r.status == 404 else self.session.json_of(r, path)

    def namespace(self, name: str) -> dict | None:
        path = f"/api/v1/namespaces/{name}"
        r = self.session.get(path, ok=(404,))
        return None if r.status == 404 else self.session.json_of(r, path)
