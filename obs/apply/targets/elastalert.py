"""ElastAlert 2 from a rules folder: out/elastalert/*.yaml written into `elastalert.rulesDir`
(its `rules_folder`) as `obs-<project>-<file>`, atomically, owned files only; stale owned rules
are pruned with --prune. ElastAlert notices changed files itself, so there is nothing to reload.

The rules keep their `${VAR}` placeholders: ElastAlert expands them from its own environment when
it reads a rule (docs/logs.md), so no value is written here either. Where ElastAlert runs in
Kubernetes, its rules are the ConfigMap out/kubernetes/elastalert-rules.yaml, which the
`kubernetes` target applies as compiled; with `configMap: NAME` (and `namespace`) this target
applies it instead, under the name and namespace the deployment mounts, through the same
server-side apply (obs.apply.kube) and the environment's kube context.
"""

from __future__ import annotations

from collections.abc import Collection

import yaml

from obs.apply import Change, Desired, Observed, fingerprint
from obs.apply.folder import OwnedFolder, Transaction, write_files
from obs.apply.kube import KubeObjects, default_namespace, session_for
from obs.apply.kubeapi import KubeApi
from obs.apply.kubeobjects import KubeObject, documents, make
from obs.apply.pusher import Done, Pusher, register

RULES_CONFIGMAP = "kubernetes/elastalert-rules.yaml"


def rules_configmap(ctx) -> KubeObject | None:
    """The rules ConfigMap as `elastalert.configMap` names it (None without that setting)."""
    spec = ctx.environment.elastalert
    name = ctx.value(spec, "configMap") if spec is not None and spec.configMap is not None else None
    if name is None or RULES_CONFIGMAP not in ctx.out.targets:
        return None
    [doc] = documents(ctx.out.text(RULES_CONFIGMAP))
    doc["metadata"]["name"] = name
    namespace = ctx.value(spec, "namespace") if spec.namespace is not None else None
    if namespace:
        doc["metadata"]["namespace"] = namespace
    return make(doc, f"{ctx.out.path.name}/{RULES_CONFIGMAP}", default_namespace(ctx), ctx.secrets)

REQUIRED = ("name", "type", "index", "alert")


@register
class ElastAlertPusher(Pusher):
    target = "elastalert"
    kind = "rule file"
    order = 40

    server = "elastalert"
    compiled_by = "elastalert"
    absent = ("no elastalert.rulesDir in this environment (in Kubernetes, the kubernetes target "
              "applies the rules)")

    @classmethod
    def configured(cls, env, project) -> str | None:
        spec = env.elastalert
        if spec is not None and spec.configMap is not None:
            if spec.rulesDir is not None:
                return "elastalert has both rulesDir and configMap: set the one ElastAlert reads"
            if env.kubernetes is None or env.kubernetes.context is None:
                return "elastalert.configMap needs kubernetes.context in this environment"
        elif spec is not None and spec.rulesDir is None:
            return "no elastalert.rulesDir (or configMap) in this environment"
        return super().configured(env, project)

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.spec = ctx.environment.elastalert
        self.kube: KubeObjects | None = None
        if self.spec.configMap is not None:
            session = session_for(ctx, self.spec.pos_of("configMap"))
            self.dir, self.folder = None, None
            self._api = KubeApi(session) if session is not None else None
            return
        self.dir = ctx.folder(self.spec, "rulesDir")
        self.folder = OwnedFolder(self.dir, ctx.name) if self.dir else None

    def pos(self):
        return self.spec.pos

    def where(self) -> str:
        if self.spec.configMap is not None:
            return f"ConfigMap {self.ctx.value(self.spec, 'configMap')} (kube context " \
                   f"{self.ctx.value(self.ctx.environment.kubernetes, 'context')})"
        return f"{self.dir}"

    def desired(self) -> dict[str, Desired]:
        if self.spec.configMap is not None:
            cm = rules_configmap(self.ctx)
            self.kube = KubeObjects(self.ctx, self._api, [cm] if cm is not None else [])
            return self.kube.desired()
        out = {}
        for rel in self.ctx.out.files("elastalert", "elastalert/"):
            content = self.ctx.out.read(rel)
            name = self.folder.name_for(rel)
            out[name] = Desired(name, {"content": fingerprint(content)}, content.decode("utf-8"),
                                f"{self.ctx.out.path.name}/{rel}", content)
        return out

    def observe(self, wanted: Collection[str]) -> dict[str, Observed]:
        if self.kube is not None:
            return self.kube.observe(wanted, listed=False)
        return self.folder.observe(wanted)

    def validate(self, changes: list[Change]) -> list[str]:
        """ElastAlert has no dry run: each rule must at least be a mapping with the options every rule
        has; the ConfigMap is dry-run by the API server as well."""
        problems = []
        if self.kube is not None:
            for c in changes:
                if c.desired is not None:
                    rules = c.desired.payload.body.get("data") or {}
                    problems += self._rules({k: v for k, v in rules.items() if k.endswith(".yaml")}, c.origin)
            return problems + self.kube.validate(changes)
        for c in changes:
            if c.action in ("create", "update"):
                problems += self._rules({c.key: c.desired.payload}, c.origin)
        return problems

    def _rules(self, rules: dict, origin: str) -> list[str]:
        problems = []
        for key, text in rules.items():
            where = origin if len(rules) == 1 else f"{origin} ({key})"
            try:
                rule = yaml.safe_load(text)
            except yaml.YAMLError as e:
                problems.append(f"{where}: not YAML ({e})")
                continue
            lacking = [k for k in REQUIRED if not isinstance(rule, dict) or k not in rule]
            if lacking:
                problems.append(f"{where}: an ElastAlert rule needs {', '.join(lacking)}")
        return problems

    def execute(self, changes: list[Change], done: Done) -> None:
        if self.kube is not None:
            self.kube.execute(changes, done)
            return
        tx = Transaction(self.folder)
        writes = [c for c in changes if c.action in ("create", "update")]
        deletes = [c for c in changes if c.action == "delete"]
        write_files(tx, writes, deletes, (tx.before_owned | {c.key for c in writes}) - {c.key for c in deletes})
        for c in changes:
            done(c)
