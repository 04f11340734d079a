"""ElastAlert 2 from a rules folder: out/elastalert/*.yaml written into `elastalert.rulesDir`
(its `rules_folder`) as `obs-<project>-<file>`, atomically, owned files only; stale owned rules
are pruned with --prune. ElastAlert notices changed files itself, so there is nothing to reload.

The rules keep their `${VAR}` placeholders: ElastAlert expands them from its own environment when
it reads a rule (docs/logs.md), so no value is written here either. Where ElastAlert runs in
Kubernetes, its rules are the ConfigMap out/kubernetes/elastalert-rules.yaml, which the
`kubernetes` target applies; this target is for a folder obs can write.
"""

from __future__ import annotations

from collections.abc import Collection

import yaml

from obs.apply import Change, Desired, Observed, fingerprint
from obs.apply.folder import OwnedFolder, Transaction, write_files
from obs.apply.pusher import Done, Pusher, register

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

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.spec = ctx.environment.elastalert
        self.dir = ctx.folder(self.spec, "rulesDir")
        self.folder = OwnedFolder(self.dir, ctx.name) if self.dir else None

    def pos(self):
        return self.spec.pos

    def where(self) -> str:
        return f"{self.dir}"

    def desired(self) -> dict[str, Desired]:
        out = {}
        for rel in self.ctx.out.files("elastalert", "elastalert/"):
            content = self.ctx.out.read(rel)
            name = self.folder.name_for(rel)
            out[name] = Desired(name, {"content": fingerprint(content)}, content.decode("utf-8"),
                                f"{self.ctx.out.path.name}/{rel}", content)
        return out

    def observe(self, wanted: Collection[str]) -> dict[str, Observed]:
        return self.folder.observe(wanted)

    def validate(self, changes: list[Change]) -> list[str]:
        """ElastAlert has no dry run: each rule must at least be a mapping with the options every rule has."""
        problems = []
        for c in changes:
            if c.action not in ("create", "update"):
                continue
            try:
                rule = yaml.safe_load(c.desired.payload)
            except yaml.YAMLError as e:
                problems.append(f"{c.origin}: not YAML ({e})")
                continue
            lacking = [k for k in REQUIRED if not isinstance(rule, dict) or k not in rule]
            if lacking:
                problems.append(f"{c.origin}: an ElastAlert rule needs {', '.join(lacking)}")
        return problems

    def execute(self, changes: list[Change], done: Done) -> None:
        tx = Transaction(self.folder)
        writes = [c for c in changes if c.action in ("create", "update")]
        deletes = [c for c in changes if c.action == "delete"]
        write_files(tx, writes, deletes, (tx.before_owned | {c.key for c in writes}) - {c.key for c in deletes})
        for c in changes:
            done(c)
