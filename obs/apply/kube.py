"""Server-side apply of a set of Kubernetes objects, shared by the `kubernetes` target (every
object of out/kubernetes/ and the SkyWalking patches) and the `elastalert` target's ConfigMap mode.

Observe: GET each object out/ wants (a live object without this project's labels is a conflict:
obs never overwrites it) and, for pruning, list this project's objects per kind by the label
selector `app.kubernetes.io/managed-by=obs,obs.dev/project=<name>` in every namespace out/ writes
into (cluster-scoped kinds cluster-wide). Validate: every write sent once with `dryRun=All`.
Execute: in dependency order (Secrets and ConfigMaps before their consumers, workload patches
last), deletes last, in reverse order.

`force=true` is sent only for updates of objects this project owns (labels checked in the same
plan): there obs is the source of truth and a field another manager changed is drift to undo,
as GitOps controllers do. Creates and SkyWalking patches of workloads obs does not own are never
forced: a field conflict there is reported (the team's manifest sets that field), not taken.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from obs import codes
from obs.apply import Change, Desired, Observed
from obs.apply.kubeapi import FORBIDDEN, KubeApi, KubeRefused, Resource, refusal
from obs.apply.kubeobjects import (APPLIED, BOOTSTRAP, NEVER_PRUNED, KubeObject, annotation, contains, owned,
                                   rank_of, shown, values_match)
from obs.apply.kubeobjects import definition as digest_of
from obs.apply.pusher import Context, Done, PushFailed
from obs.diagnostics import Diagnostic, Position, Severity
from obs.live.errors import LiveError, Rejected, Unreachable
from obs.live.kubernetes import KubeconfigError, connect, context_namespace, kubeconfig_path
from obs.targets.k8s import MANAGED_BY, PROJECT_LABEL

UNFILLED = codes.define("AP013", "apply/kubernetes-placeholder-outside-secret",
                        "An object other than a Secret or ConfigMap holds a ${VAR} placeholder, which apply does "
                        "not fill there.")
_PLACEHOLDER = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")
NO_WORKLOAD = "no such workload"
KUBECONFIG_HINT = "set kubernetes.kubeconfig in obs.yaml or $KUBECONFIG, and kubernetes.context"
#: kinds listed for pruning even when out/ has none of them any more (what obs's targets write)
PRUNABLE = (("v1", "ConfigMap"), ("v1", "Secret"), ("monitoring.coreos.com/v1", "PrometheusRule"),
            ("monitoring.coreos.com/v1alpha1", "AlertmanagerConfig"),
            *(("alerting.kubesphere.io/v2beta1", k) for k in ("RuleGroup", "ClusterRuleGroup", "GlobalRuleGroup")),
            *(("notification.kubesphere.io/v2beta2", k) for k in ("Receiver", "Config", "Router")))


@dataclass
class Handle:
    res: Resource
    namespace: str | None
    name: str
    #: a Namespace a bootstrap DIR names that exists without obs's labels: obs adds its fields
    #: (labels, annotations), never forced, never pruned
    adopt: bool = False


def session_for(ctx: Context, pos: Position | None):
    """The API server of the environment's kube context (kubeconfig read as kubectl and validate
    read it), shared through ctx.clients; None after a problem at obs.yaml's line."""
    if "kubernetes" in ctx.clients._sessions:
        return ctx.clients._sessions["kubernetes"]
    spec = ctx.environment.kubernetes
    context = ctx.value(spec, "context")
    configured = ctx.value(spec, "kubeconfig")
    if context is None or (spec.kubeconfig is not None and configured is None):
        return None
    try:
        return ctx.clients.add("kubernetes", connect(kubeconfig_path(configured), context, ctx.clients.policy))
    except KubeconfigError as e:
        from obs.live.checks.kubernetes import KUBECONFIG
        ctx.problems.append(Diagnostic(KUBECONFIG, f"kubernetes: {e}", pos, hint=KUBECONFIG_HINT, config=True))
        return None


def default_namespace(ctx: Context) -> str:
    """Where objects naming no namespace go: kubernetes.namespace, else the context's, else default."""
    spec = ctx.environment.kubernetes
    value = ctx.value(spec, "namespace") if spec is not None else None
    if value:
        return value
    try:
        context = ctx.value(spec, "context") if spec is not None else None
        kubeconfig = ctx.value(spec, "kubeconfig") if spec is not None else None
        return (context and context_namespace(kubeconfig_path(kubeconfig), context)) or "default"
    except KubeconfigError:
        return "default"


class KubeObjects:
    """Plan and apply for `objects`, all through `api`. `bootstrap` (a profile) when the objects
    are a bootstrap DIR's: then only objects carrying obs.dev/bootstrap are pruned (never a
    Namespace or CRD: `kept`), otherwise only objects without it."""

    def __init__(self, ctx: Context, api: KubeApi | None, objects: Iterable[KubeObject],
                 bootstrap: str | None = None) -> None:
        self.ctx, self.api, self.bootstrap = ctx, api, bootstrap
        #: this project's bootstrap Namespaces/CRDs no longer in DIR, left alone (never pruned)
        self.kept: list[str] = []
        self.objects = {o.key: o for o in objects}
        self.selector = f"{MANAGED_BY}=obs,{PROJECT_LABEL}={ctx.name}"
        for o in self.objects.values():
            self.ctx.missing(o.missing, o.origin)
            if not o.secret and o.kind != "ConfigMap" and _PLACEHOLDER.search(json.dumps(o.template)):
                ctx.problems.append(Diagnostic(UNFILLED, f"{o.key} holds a ${{VAR}} placeholder, which obs fills "
                                               "in Secrets only: it is applied as written", Position(o.origin),
                                               Severity.WARNING, hint="reference a Secret key (secretKeyRef) "
                                               "holding the ${VAR} instead"))

    def desired(self) -> dict[str, Desired]:
        out = {}
        for key, o in self.objects.items():
            if o.patch:
                parts = {"patch": "in the workload"}
            else:
                parts = {"definition": digest_of(o.template)}
                if o.secret:
                    parts["values"] = "as filled now"
            out[key] = Desired(key, parts, shown(o.body, o.secret), o.origin, o)
        return out

    def observe(self, wanted: Collection[str], prune_kinds: Iterable[tuple[str, str]] = (), listed: bool = True,
                ignore: Collection[str] = ()) -> dict[str, Observed]:
        """The objects out/ wants as the cluster has them and (`listed`) this project's objects of
        the kinds out/ writes or `prune_kinds`, except the keys in `ignore` (another target's)."""
        out: dict[str, Observed] = {}
        wants: set[tuple[str, str | None, str]] = set()  # what out/ names, by the cluster's address
        for key, o in sorted(self.objects.items()):
            res = self.api.resource(o.api_version, o.kind)
            ns = o.namespace if res.namespaced else None
            wants.add((o.kind, ns, o.name))
            live = self.api.get(res, ns, o.name)
            if live is not None:
                out[key] = self._observed(key, o, live, Handle(res, ns, o.name))
            elif o.patch:
                out[key] = Observed(key, {"patch": NO_WORKLOAD}, True, "", Handle(res, ns, o.name))
        if not listed:
            return out
        self.kept = []
        namespaces = sorted({o.namespace for o in self.objects.values() if o.namespace and not o.patch}) or \
            [default_namespace(self.ctx)]
        kinds = sorted({(o.api_version, o.kind) for o in self.objects.values() if not o.patch} | set(prune_kinds))
        for api_version, kind in kinds:
            res = self.api.serves(api_version, kind)
            if res is None:
                continue  # a kind only listed for pruning whose CRD is not installed holds nothing of ours
            for live in self._owned(res, namespaces):
                meta = live.get("metadata") or {}
                ns = meta.get("namespace") if res.namespaced else None
                key = "/".join(x for x in (kind, ns, meta.get("name")) if x)
                mine = (kind, ns, meta.get("name")) not in wants and owned(live, self.ctx.name) and \
                    (annotation(live, BOOTSTRAP) is not None) == (self.bootstrap is not None)
                if mine and self.bootstrap is not None and kind in NEVER_PRUNED:
                    self.kept.append(key)
                elif mine and key not in out and key not in ignore:
                    live = {"apiVersion": api_version, "kind": kind, **live}
                    out[key] = Observed(key, {"definition": _applied(live)}, True, shown(live, kind == "Secret"),
                                        Handle(res, ns, str(meta.get("name"))))
        return out

    def _owned(self, res: Resource, namespaces: list[str]) -> list[dict]:
        """This project's objects of a kind: one list across all namespaces (finds those in a
        namespace out/ no longer names); where RBAC allows only namespaces, one list per namespace
        out/ writes into."""
        try:
            return self.api.list(res, None, self.selector)
        except KubeRefused as e:
            if not res.namespaced or e.code != FORBIDDEN:
                raise
        return [item for ns in namespaces for item in self.api.list(res, ns, self.selector)]

    def _observed(self, key: str, o: KubeObject, live: dict, handle: Handle) -> Observed:
        if o.patch:
            done = contains(live, o.body)
            view = shown(live, live=live, want=o.body)
            return Observed(key, {"patch": "in the workload" if done else "not in the workload"}, True, view, handle)
        mine = owned(live, self.ctx.name)
        if not mine and self.bootstrap is not None and o.kind == "Namespace" and o.api_version == "v1":
            handle.adopt = True
            return Observed(key, {"definition": digest_of(o.template), "adopt": "not obs's"}, True,
                            shown(live, live=live, want=o.body), handle)
        parts = {"definition": _applied(live)} if mine else {"definition": "not obs's"}
        if o.secret:
            parts["values"] = "as filled now" if mine and values_match(o, live) else "changed"
        view = shown(live, o.secret, live=live, want=o.body)
        conflict, hint = self._elsewhere(live) if mine else (None, None)
        return Observed(key, parts, mine, view, handle, conflict, hint)

    def _elsewhere(self, live: dict) -> tuple[str | None, str | None]:
        """Why an object of this project is the other source's (out/ or a bootstrap DIR), which
        this apply does not overwrite: one owner each, so two applies never undo each other."""
        profile = annotation(live, BOOTSTRAP)
        if self.bootstrap is None and profile is not None:
            return (f"was applied from a bootstrap DIR (profile {profile}, obs apply --bootstrap): out/ does not "
                    "overwrite it", "leave it to the bootstrap DIR, or drop it there and `obs apply --bootstrap DIR "
                    "--prune` before out/ takes it")
        if self.bootstrap is not None and profile is None and annotation(live, APPLIED) is not None:
            return ("is out/'s (obs apply pushed it from out/): a bootstrap DIR does not overwrite it",
                    "leave it to `obs apply`: render DIR without it (e.g. notificationManager.include=false)")
        return None, None

    def validate(self, changes: list[Change]) -> list[str]:
        problems = []
        for c in self.ordered(changes):
            try:
                self._write(c, dry_run=True)
            except KubeRefused as e:
                problems.append(f"{c.key}: {e.message}")
            except LiveError as e:
                problems.append(refusal(e, c.key))
        return [self.ctx.secrets.scrub(p) for p in problems]

    def execute(self, changes: list[Change], done: Done) -> None:
        for c in self.ordered(changes):
            try:
                self._write(c, dry_run=False)
            except KubeRefused as e:
                raise PushFailed(f"{c.key}: {e.message}", hint=e.hint) from None
            except Unreachable:
                raise
            except LiveError as e:
                raise PushFailed(refusal(e, c.key)) from None
            done(c)

    def _write(self, c: Change, dry_run: bool) -> None:
        if c.action == "delete":
            h: Handle = c.observed.handle
            self.api.delete(h.res, h.namespace, h.name, dry_run=dry_run)
            return
        o: KubeObject = c.desired.payload
        if c.observed is not None and c.observed.handle is not None:
            h = c.observed.handle
        else:
            res = self.api.resource(o.api_version, o.kind)
            h = Handle(res, o.namespace if res.namespaced else None, o.name)
        if o.patch and c.observed is not None and c.observed.parts.get("patch") == NO_WORKLOAD:
            raise Rejected("kubernetes", f"{o.kind} {o.namespace}/{o.name} is not in the cluster: obs patches the "
                           "SkyWalking agent into a workload that exists, it does not create one")
        force = c.action == "update" and c.observed is not None and c.observed.owned and not (o.patch or h.adopt)
        self.api.apply(h.res, h.namespace, h.name, o.body, force=force, dry_run=dry_run)

    def ordered(self, changes: list[Change]) -> list[Change]:
        """Writes by rank (Secrets and ConfigMaps first, patches last), then deletes in reverse."""
        def rank(c: Change) -> int:
            if c.desired is not None:
                return c.desired.payload.rank
            return rank_of(c.observed.handle.res.api_version, c.observed.handle.res.kind)
        writes = sorted((c for c in changes if c.action in ("create", "update")), key=lambda c: (rank(c), c.key))
        deletes = sorted((c for c in changes if c.action == "delete"), key=lambda c: (-rank(c), c.key))
        return writes + deletes


def _applied(live: dict) -> str:
    return str(((live.get("metadata") or {}).get("annotations") or {}).get(APPLIED) or "unknown")
