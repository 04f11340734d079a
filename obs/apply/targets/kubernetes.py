"""Kubernetes: every object of out/kubernetes/*.yaml (PrometheusRules, KubeSphere rule groups,
dashboard ConfigMaps, the ElastAlert rules ConfigMap (unless `elastalert.configMap` makes it the
elastalert target's), Alertmanager Secrets, notification objects,
whatever kinds the targets write) by server-side apply with field manager `obs`, pruned by this
project's labels; and each SkyWalking patch (out/skywalking/<service>/patch.yaml) applied to the
team's live workload, which obs patches but does not own (never created, never pruned).

Settings: `kubernetes.context` (required: apply never falls back to the current context),
`kubeconfig`, `namespace` (for objects naming none; default the context's, else `default`).
How objects are compared, ordered, forced and worded: obs.apply.kube.
"""

from __future__ import annotations

from collections.abc import Collection

import yaml

from obs.apply import Change, Desired, Observed
from obs.apply.kube import PRUNABLE, KubeObjects, default_namespace, session_for
from obs.apply.kubeapi import KubeApi
from obs.apply.kubeobjects import KubeObject, documents, make
from obs.apply.pusher import Done, Pusher, register
from obs.apply.targets.elastalert import RULES_CONFIGMAP, rules_configmap
from obs.live.errors import safe_url

CONFLICT_HINTS = {
    "Secret/alertmanager-main": (
        "on KubeSphere this Secret routes alerts to notification-manager and obs does not overwrite it: use the "
        "notification-manager Receivers (KubeSphere) or AlertmanagerConfig objects (prometheus-operator) obs "
        "compiles, or set defaults.alertmanager.secretName to a Secret of obs's own (label an existing one "
        "app.kubernetes.io/managed-by=obs, obs.dev/project=<project> to hand it to obs)"),
}


@register
class KubernetesPusher(Pusher):
    target = "kubernetes"
    kind = "object"
    order = 15

    server = "kubernetes"

    @classmethod
    def configured(cls, env, project) -> str | None:
        spec = env.kubernetes
        if spec is None:
            return "no kubernetes in this environment"
        if spec.context is None:
            return "no kubernetes.context in this environment (apply never uses the current context)"
        return None

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.spec = ctx.environment.kubernetes
        session = session_for(ctx, self.pos())
        self.api = KubeApi(session) if session is not None else None
        self.objects: KubeObjects | None = None

    def pos(self):
        return self.spec.pos_of("context")

    def where(self) -> str:
        return f"context {self.ctx.value(self.spec, 'context')} ({safe_url(self.api.session.endpoint.url)})" \
            if self.api else "Kubernetes"

    def _skipped(self) -> set[str]:
        ea = self.ctx.environment.elastalert
        return {RULES_CONFIGMAP} if ea is not None and ea.configMap is not None else set()

    def desired(self) -> dict[str, Desired]:
        ns = default_namespace(self.ctx)
        skip = self._skipped()
        objects: list[KubeObject] = []
        out = self.ctx.out
        for rel in sorted(out.targets):
            origin = f"{out.path.name}/{rel}"
            if rel.startswith("kubernetes/") and rel.endswith((".yaml", ".yml")) and rel not in skip:
                objects += [make(d, origin, ns, self.ctx.secrets) for d in documents(out.text(rel))]
            elif rel.startswith("skywalking/") and rel.endswith("/patch.yaml"):
                beside = rel.rsplit("/", 1)[0] + "/workload.yaml"
                here = _namespace_of(out.text(beside)) if beside in out.targets else None
                objects += [make(d, origin, here or ns, self.ctx.secrets, patch=True)
                            for d in documents(out.text(rel))]
        self.objects = KubeObjects(self.ctx, self.api, objects)
        return self.objects.desired()

    def observe(self, wanted: Collection[str]) -> dict[str, Observed]:
        theirs = rules_configmap(self.ctx) if self._skipped() else None  # the elastalert target's to prune
        return self.objects.observe(wanted, PRUNABLE, ignore={theirs.key} if theirs else ())

    def validate(self, changes: list[Change]) -> list[str]:
        return self.objects.validate(changes)

    def execute(self, changes: list[Change], done: Done) -> None:
        self.objects.execute(changes, done)

    def conflict_hint(self, change: Change) -> str | None:
        kind, _, rest = change.key.partition("/")
        return CONFLICT_HINTS.get(f"{kind}/{rest.rsplit('/', 1)[-1]}")


def _namespace_of(text: str) -> str | None:
    for doc in yaml.safe_load_all(text):
        if isinstance(doc, dict):
            return (doc.get("metadata") or {}).get("namespace")
    return None
