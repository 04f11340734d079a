"""Kubernetes: the custom resources obs writes (PrometheusRule, RuleGroup, …) have their CRD
installed and serving the version obs writes, and every namespace obs writes into exists —
else `kubectl apply` fails at deploy time, or a GitOps sync stays degraded."""

from __future__ import annotations

from collections.abc import Iterator

import yaml

from obs import codes
from obs.diagnostics import Diagnostic, Position
from obs.live import live_check
from obs.live.clients import Clients, ServerStatus
from obs.live.environment import _value
from obs.live.errors import LiveError, diagnostic_for
from obs.live.kubernetes import KubeconfigError, Kubernetes, connect, kubeconfig_path

#: API groups every cluster serves; anything else obs writes is a custom resource
BUILTIN_GROUPS = frozenset({"", "v1", "apps", "batch", "policy", "autoscaling", "networking.k8s.io",
                            "rbac.authorization.k8s.io", "kustomize.config.k8s.io"})
#: plural names of the kinds obs writes (a CRD's name is <plural>.<group>)
PLURALS = {"PrometheusRule": "prometheusrules", "RuleGroup": "rulegroups", "ClusterRuleGroup": "clusterrulegroups",
           "GlobalRuleGroup": "globalrulegroups", "SwAgent": "swagents", "ServiceMonitor": "servicemonitors"}

NAMESPACE = codes.define("LV067", "live/kubernetes-namespace", "A namespace obs writes objects into does not exist.")
KUBECONFIG = codes.define("LV068", "live/kubeconfig",
                          "The environment's kube context cannot be read from the kubeconfig.")


def objects(build) -> Iterator[tuple[dict, Position | None]]:
    """Every compiled Kubernetes object (out/kubernetes/, SkyWalking's patches), with where its
    definition is."""
    for art in sorted(build.artifacts, key=lambda a: a.path):
        if not art.path.endswith((".yaml", ".yml")) or not art.path.startswith(("kubernetes/", "skywalking/")):
            continue
        pos = next((o.pos for o in art.sources if o.pos is not None), None)
        for doc in yaml.safe_load_all(art.content):
            if isinstance(doc, dict) and "kind" in doc and "apiVersion" in doc:
                yield doc, pos


def _api(build, clients: Clients) -> Kubernetes | None:
    """The API server of the context, asked for /version once per run; a kubeconfig that gives
    no endpoint, or a server that does not answer, is one line (validate reports the status)."""
    status = clients._status.get("kubernetes")
    if status is None:
        status = clients._status["kubernetes"] = _connect(build, clients)
    return clients.client("kubernetes", Kubernetes) if status.online else None


def _connect(build, clients: Clients) -> ServerStatus:
    env = build.project.spec.environments.get(clients.env.name)
    kube = env.kubernetes if env is not None else None
    pos = kube.pos_of("context") if kube is not None else clients.env.pos
    unset: list[Diagnostic] = []
    configured = _value(kube.kubeconfig, kube.pos_of("kubeconfig"), unset) if kube and kube.kubeconfig else None
    if unset:  # never fall back to another kubeconfig (and cluster) than the one obs.yaml names
        return ServerStatus(False, None, unset[0])
    try:
        clients.add("kubernetes", connect(kubeconfig_path(configured), clients.env.kube_context, clients.policy))
    except KubeconfigError as e:
        return ServerStatus(False, None, Diagnostic(KUBECONFIG, f"kubernetes: {e}", pos, config=True,
                                                    hint="set kubernetes.kubeconfig in obs.yaml or $KUBECONFIG"))
    try:
        return ServerStatus(True, clients.client("kubernetes", Kubernetes).version())
    except LiveError as e:
        return ServerStatus(False, None, diagnostic_for(e, pos))


@live_check("LV066", "live/kubernetes-crd",
            "A custom resource obs writes has no CRD in the cluster, or the CRD does not serve its version.",
            servers=("kubernetes",))
def crds(build, clients: Clients):
    api = _api(build, clients)
    if api is None:
        return
    wanted: dict[tuple[str, str], tuple[str, Position | None]] = {}
    for doc, _ in objects(build):
        group, _, version = doc["apiVersion"].rpartition("/")
        if group and group not in BUILTIN_GROUPS:
            wanted.setdefault((group, doc["kind"]), (version, build.project.spec.pos_of("targets")))
    for (group, kind), (version, pos) in sorted(wanted.items()):
        name = f"{PLURALS.get(kind, kind.lower() + 's')}.{group}"
        crd = api.crd(name)
        if crd is None:
            yield Diagnostic("LV066", f"the cluster has no CRD {name}: the {kind} objects obs writes cannot be "
                             "applied", pos, hint=f"install the operator that defines {kind}, or drop its target")
            continue
        served = [v.get("name") for v in (crd.get("spec") or {}).get("versions") or [] if v.get("served")]
        if version not in served:
            yield Diagnostic("LV066", f"CRD {name} does not serve {group}/{version} (it serves "
                             f"{', '.join(served) or 'no version'})", pos,
                             hint="upgrade the operator, or pin the target to a version the cluster serves")


@live_check("LV067", "live/kubernetes-namespace", "A namespace obs writes objects into does not exist.",
            servers=("kubernetes",))
def namespaces(build, clients: Clients):
    api = _api(build, clients)
    if api is None:
        return
    defaults = build.catalog.defaults.kubernetes
    first: dict[str, Position | None] = {}
    for doc, pos in objects(build):
        ns = (doc.get("metadata") or {}).get("namespace")
        if ns and ns not in first:
            first[ns] = defaults.pos_of("namespace") if ns == defaults.namespace else pos
    for ns, pos in sorted(first.items()):
        if api.namespace(ns) is None:
            yield Diagnostic(NAMESPACE, f"the cluster has no namespace {ns!r}, which obs writes objects into", pos,
                             hint="create it (obs does not), or set the namespace to an existing one")
