"""Prometheus from rule files: out/prometheus/*.rules.yaml written into `rulesDir` (the folder
Prometheus's `rule_files` glob reads) as `obs-<project>-<file>`, then `POST /-/reload`, then
`/api/v1/rules` must show every group loaded with its rules and none of the changed ones
unhealthy. If the reload fails or cannot be confirmed, the previous files are put back and
Prometheus is reloaded again, so it keeps running what it ran before.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from datetime import datetime

import yaml

from obs import durations
from obs.apply import Change, Desired, Observed, fingerprint
from obs.apply.folder import OwnedFolder, Transaction, write_files
from obs.apply.local import promtool_check
from obs.apply.pusher import Done, Pusher, PushFailed, register
from obs.live.errors import LiveError
from obs.live.reload import PrometheusLifecycle

POLL = 0.5  # seconds between reads of /api/v1/rules while confirming


def rule_groups(content: bytes) -> dict[str, int] | None:
    """Group name → number of rules, or None for a file that is not a rule file."""
    try:
        doc = yaml.safe_load(content)
        return {str(g["name"]): len(g.get("rules") or []) for g in doc.get("groups") or []}
    except (yaml.YAMLError, AttributeError, KeyError, TypeError):
        return None


@register
class PrometheusPusher(Pusher):
    target = "prometheus"
    kind = "rule file"
    order = 10

    server = "prometheus"
    setting = "rulesDir"
    compiled_by = "prometheus"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.spec = ctx.environment.prometheus
        self.dir = ctx.folder(self.spec, "rulesDir")
        self.folder = OwnedFolder(self.dir, ctx.name) if self.dir else None
        self.timeout = durations.seconds(self.spec.confirmTimeout)
        self.life = ctx.clients.client("prometheus", PrometheusLifecycle) if ctx.clients.defined("prometheus") else None
        self._desired: dict[str, Desired] = {}

    def pos(self):
        return self.spec.pos

    def where(self) -> str:
        url = self.ctx.clients.endpoint("prometheus").describe() if self.life else "Prometheus"
        return f"{self.dir} for {url}"

    def desired(self) -> dict[str, Desired]:
        out = {}
        for rel in self.ctx.out.files("prometheus", "prometheus/"):
            content = self.ctx.out.read(rel)
            name = self.folder.name_for(rel)
            out[name] = Desired(name, {"content": fingerprint(content), "loaded": "yes"},
                                content.decode("utf-8"), f"{self.ctx.out.path.name}/{rel}", content)
        self._desired = out
        return out

    # -- what is there ---------------------------------------------------------------------
    def _loaded(self) -> tuple[dict[str, dict[str, dict]], datetime | None]:
        """file name → group name → group, as Prometheus runs them; and when it last loaded its config."""
        by_file: dict[str, dict[str, dict]] = {}
        for g in self.life.groups():
            by_file.setdefault(str(g.get("file", "")).rsplit("/", 1)[-1], {})[str(g.get("name"))] = g
        last = self.life.runtime().get("lastConfigTime")
        try:
            when = datetime.fromisoformat(str(last).replace("Z", "+00:00")) if last else None
        except ValueError:
            when = None
        return by_file, when

    def _is_loaded(self, name: str, content: bytes, by_file: dict, last: datetime | None) -> bool:
        groups = rule_groups(content)
        running = by_file.get(name, {})
        if groups is None or any(len(running.get(g, {}).get("rules", [])) != n or g not in running
                                 for g, n in groups.items()):
            return False
        if last is None:
            return True
        mtime = (self.dir / name).stat().st_mtime
        return mtime <= last.timestamp() + 1  # written before the config Prometheus runs was loaded

    def observe(self, wanted: Collection[str]) -> dict[str, Observed]:
        by_file, last = self._loaded()
        return self.folder.observe(wanted, lambda name, content: {
            "loaded": "yes" if self._is_loaded(name, content, by_file, last) else "no"})

    # -- dry run and apply --------------------------------------------------------------------
    def validate(self, changes: list[Change]) -> list[str]:
        files = {c.key: c.desired.payload for c in changes if c.action in ("create", "update")}
        problems = promtool_check(files)
        if problems is None:
            self.notes.append("promtool is not installed here: the rule files were not checked before the reload")
            return []
        return problems

    def execute(self, changes: list[Change], done: Done) -> None:
        tx = Transaction(self.folder)
        writes = [c for c in changes if c.action in ("create", "update")]
        deletes = [c for c in changes if c.action == "delete"]
        after = (tx.before_owned | {c.key for c in writes}) - {c.key for c in deletes}
        write_files(tx, writes, deletes, after)
        try:
            self.life.reload()
            self._confirm({c.key for c in writes}, {c.key for c in deletes})
        except (LiveError, PushFailed) as e:
            self._undo(tx, e)
        for c in changes:
            done(c)

    def _undo(self, tx: Transaction, e: Exception) -> None:
        message = e.message if isinstance(e, LiveError | PushFailed) else str(e)
        tx.rollback()
        try:
            self.life.reload()
            after = "the previous files are back and Prometheus reloaded them"
        except LiveError as again:
            after = f"the previous files are back, but reloading them failed too: {again.message}"
        raise PushFailed(f"{message}; {after}", rolled_back=True,
                         hint=f"check that Prometheus's rule_files read {self.dir}/*.yaml" if "not loaded" in message
                         else None) from None

    def _confirm(self, changed: set[str], removed: set[str]) -> None:
        """Every desired group loaded with its rules, removed files' groups gone, and no rule of a
        changed file unhealthy; rules not evaluated yet when the time is up are a note, not a failure."""
        deadline = time.monotonic() + self.timeout
        while True:
            by_file, _ = self._loaded()
            missing, pending = [], 0
            for name, d in self._desired.items():
                running = by_file.get(name, {})
                for group, n in (rule_groups(d.payload) or {}).items():
                    g = running.get(group)
                    if g is None or len(g.get("rules", [])) != n:
                        missing.append(f"group {group!r} of {name}")
                        continue
                    if name in changed:
                        for rule in g.get("rules", []):
                            if rule.get("health") == "err" or rule.get("lastError"):
                                raise PushFailed(f"rule {rule.get('name')!r} in group {group!r} of {name} fails "
                                                 f"on Prometheus: {rule.get('lastError') or 'unhealthy'}")
                            pending += rule.get("health") not in ("ok", "err")
            missing += [f"file {name}" for name in removed if by_file.get(name)]
            if not missing and not pending:
                return
            if time.monotonic() >= deadline:
                if missing:
                    raise PushFailed(f"Prometheus has not loaded {', '.join(sorted(missing)[:3])}"
                                     f"{' and more' if len(missing) > 3 else ''} after the reload (not loaded)")
                self.notes.append(f"{pending} rules loaded but not evaluated yet when the wait "
                                  f"({self.spec.confirmTimeout}) ended")
                return
            time.sleep(POLL)
