"""Kubernetes objects of out/ as apply sees them: a key per object, the body server-side apply
sends, what is compared, what `diff -v` shows, and the order of the writes.

obs's own objects (labels `app.kubernetes.io/managed-by: obs`, `obs.dev/project: <name>`) carry
the digest of out/'s body in the annotation `obs.dev/applied`; the plan compares that, as for
watches, since the API server adds defaults and other managers' fields to what it gives back.
A Secret is compared by its values too (the live `data` against the filled values, in memory):
a rotated or hand-edited secret is "secret values changed". `${VAR}` placeholders are filled in
Secrets only (other objects keep `${...}` for their consumer: ElastAlert, Grafana variables);
`stringData` is sent as `data` (base64), which is what the server stores and gives back.
A key that is a whole `${VAR}` gets the value; a YAML document (alertmanager.yaml) is filled as
the alertmanager target fills it (obs.alertmanager.secrets.fill).
"""

from __future__ import annotations

import base64
import copy
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from obs.apply import fingerprint
from obs.targets.k8s import MANAGED_BY, PROJECT_LABEL

APPLIED = "obs.dev/applied"
#: on the objects `obs apply --bootstrap DIR` pushes (value: the profile): they are pruned only
#: by an apply of a bootstrap DIR, and out/'s apply never prunes nor overwrites them
BOOTSTRAP = "obs.dev/bootstrap"
#: kinds an apply of a bootstrap DIR never deletes: deleting one deletes everything in it
NEVER_PRUNED = frozenset({"Namespace", "CustomResourceDefinition"})
_ONE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: kinds obs writes that live outside namespaces, for keys made before discovery (the REST path
#: always follows discovery; another cluster-scoped kind naming no namespace is keyed with the
#: environment's namespace, a cosmetic difference only)
CLUSTER_KINDS = frozenset({"Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding",
                           "ClusterRuleGroup", "GlobalRuleGroup", "Receiver", "Config"})
#: write order: what others consume first; custom resources after; workload patches last
RANK = {"Namespace": 0, "CustomResourceDefinition": 0, "ServiceAccount": 1, "Secret": 2, "ConfigMap": 3,
        "Config": 5, "Receiver": 6,
        "Deployment": 9, "StatefulSet": 9, "DaemonSet": 9}
#: server-side fields left out of what `diff -v` shows
SERVER_META = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink",
               "deletionTimestamp", "deletionGracePeriodSeconds")
#: list items are matched by these keys (the list-map keys of the Kubernetes API)
ITEM_KEYS = ("name", "mountPath", "containerPort", "key")


@dataclass
class KubeObject:
    """One object out/ wants: `template` as compiled, `body` as sent (placeholders filled)."""

    api_version: str
    kind: str
    name: str
    namespace: str | None
    template: dict
    origin: str
    patch: bool = False
    body: dict = field(default_factory=dict, repr=False)
    missing: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return "/".join(x for x in (self.kind, self.namespace, self.name) if x)

    @property
    def rank(self) -> int:
        return rank_of(self.api_version, self.kind)

    @property
    def secret(self) -> bool:
        return self.kind == "Secret" and self.api_version == "v1"


def rank_of(api_version: str, kind: str) -> int:
    """Write order: the listed kinds, then other core kinds, then other API groups' kinds."""
    return RANK.get(kind, 4 if "/" not in api_version else 7)


def documents(text: str) -> list[dict]:
    return [d for d in yaml.safe_load_all(text) if isinstance(d, dict) and d.get("kind") and d.get("apiVersion")
            and isinstance(d.get("metadata"), dict) and d["metadata"].get("name")]


def make(doc: dict, origin: str, namespace: str, secrets, patch: bool = False) -> KubeObject:
    meta = doc["metadata"]
    ns = meta.get("namespace") or (None if doc["kind"] in CLUSTER_KINDS else namespace)
    obj = KubeObject(doc["apiVersion"], doc["kind"], str(meta["name"]), ns, doc, origin, patch)
    body = copy.deepcopy(doc)
    if ns:
        body["metadata"]["namespace"] = ns
    if not patch:
        body["metadata"].setdefault("annotations", {})[APPLIED] = definition(doc)
    if obj.secret:
        data = dict(body.get("data") or {})
        for k, v in (body.pop("stringData", None) or {}).items():
            value = _filled(str(v), secrets, obj.missing)
            data[k] = base64.b64encode(value.encode("utf-8")).decode("ascii")
        body["data"] = data
        obj.missing.sort()
    obj.body = body
    return obj


def _filled(text: str, secrets, missing: list[str]) -> str:
    """A key that is one placeholder holds the value itself (a file Alertmanager reads); any other
    is a YAML document (alertmanager.yaml, the DingTalk relay's config.yml), filled the way the
    alertmanager target fills it: values JSON-escaped, the `https://obs.invalid/${VAR}` stub of a
    URL replaced whole."""
    whole = _ONE.fullmatch(text)
    if whole:
        value = secrets.lookup(whole.group(1))
        if value is None:
            missing.append(whole.group(1))
        return text if value is None else value
    filled, gone = secrets.fill_yaml(text)
    missing.extend(v for v in gone if v not in missing)
    return filled


def definition(doc: dict) -> str:
    return fingerprint(doc)


def owned(live: dict, project: str) -> bool:
    labels = (live.get("metadata") or {}).get("labels") or {}
    return labels.get(MANAGED_BY) == "obs" and labels.get(PROJECT_LABEL) == project


def annotation(live: dict, name: str) -> str | None:
    value = ((live.get("metadata") or {}).get("annotations") or {}).get(name)
    return None if value is None else str(value)


def values_match(obj: KubeObject, live: dict) -> bool:
    """Every key of the Secret obs sends holds the same value on the cluster (compared, never shown)."""
    have = live.get("data") or {}
    return all(have.get(k) == v for k, v in (obj.body.get("data") or {}).items())


def contains(live: Any, want: Any) -> bool:
    """The live object holds every field of `want` (a patch), list items matched by their keys."""
    if isinstance(want, dict):
        return isinstance(live, dict) and all(k in live and contains(live[k], v) for k, v in want.items())
    if isinstance(want, list):
        if not isinstance(live, list):
            return False
        key = _item_key(want)
        if key is None:
            return live == want
        index = {i.get(key): i for i in live if isinstance(i, dict)}
        return all(w.get(key) in index and contains(index[w.get(key)], w) for w in want)
    return live == want or (isinstance(live, int | float) and str(live) == str(want))


def _item_key(items: list) -> str | None:
    for k in ITEM_KEYS:
        if items and all(isinstance(i, dict) and k in i for i in items):
            return k
    return None


def shown(doc: dict, secret: bool = False, live: dict | None = None, want: dict | None = None) -> str:
    """Canonical YAML for `diff -v`: server fields and obs's digest left out; a live object only in
    the shape of out/'s (so the diff is about obs's fields); Secret values never, only whether
    they changed."""
    view = _project(doc, want) if want is not None else copy.deepcopy(doc)
    meta = view.get("metadata")
    if isinstance(meta, dict):
        for k in SERVER_META:
            meta.pop(k, None)
        ann = meta.get("annotations")
        if isinstance(ann, dict):
            ann.pop(APPLIED, None)
            ann.pop("kubectl.kubernetes.io/last-applied-configuration", None)
            if not ann:
                meta.pop("annotations")
    view.pop("status", None)
    if secret:
        for part in ("data", "stringData"):
            if isinstance(view.get(part), dict):
                if live is None:
                    view[part] = {k: "<secret>" for k in view[part]}
                else:
                    view[part] = {k: "<secret>" if (want or {}).get(part, {}).get(k) == v else "<secret> (changed)"
                                  for k, v in view[part].items()}
    return yaml.safe_dump(view, sort_keys=True, default_flow_style=False, allow_unicode=True, width=120)


def _project(live: Any, want: Any) -> Any:
    if isinstance(want, dict) and isinstance(live, dict):
        return {k: _project(live[k], want[k]) for k in want if k in live}
    if isinstance(want, list) and isinstance(live, list) and len(want) == len(live):
        return [_project(a, b) for a, b in zip(live, want, strict=True)]
    return copy.deepcopy(live)
