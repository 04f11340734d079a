"""Alertmanager from a config file: out/alertmanager/alertmanager.yaml, its `${VAR}` placeholders
filled from the environment now (never in out/), written atomically to `configFile` with mode
0600, then `POST /-/reload`; `/api/v2/status` must then show the config it wrote. If the reload
fails or the loaded config is not ours, the previous file is put back and reloaded.

Alertmanager prints its loaded config with defaults filled in, durations re-formatted (24h as
1d) and some secrets as <secret>; "matches" is therefore: every value obs wrote is there, equal
as a value.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

from obs import durations
from obs.apply import Change, Desired, Observed, fingerprint
from obs.apply.folder import OwnedFolder, Transaction, write_files
from obs.apply.local import amtool_check
from obs.apply.pusher import UNCONFIGURED, Done, Pusher, PushFailed, register
from obs.apply.secrets import MASK
from obs.diagnostics import Diagnostic
from obs.live.errors import LiveError
from obs.live.reload import AlertmanagerLifecycle
from obs.targets.alertmanager import HEADER

MODE = 0o600
POLL = 0.5


def covers(loaded: Any, ours: Any) -> bool:
    """Whether Alertmanager's printed config holds every value of ours."""
    if isinstance(ours, dict):
        return isinstance(loaded, dict) and all(k in loaded and covers(loaded[k], v) for k, v in ours.items())
    if isinstance(ours, list):
        return isinstance(loaded, list) and len(loaded) == len(ours) and all(map(covers, loaded, ours))
    if loaded == MASK or loaded == ours or str(loaded) == str(ours):
        return True
    if durations.is_duration(loaded) and durations.is_duration(ours):
        return durations.seconds(loaded) == durations.seconds(ours)
    return False


def _yaml(text: str | bytes) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _dump(doc: Any) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=False)


@register
class AlertmanagerPusher(Pusher):
    target = "alertmanager"
    kind = "config file"
    order = 20

    server = "alertmanager"
    setting = "configFile"
    compiled_by = "alertmanager"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.spec = ctx.environment.alertmanager
        path = ctx.value(self.spec, "configFile")
        self.file = None
        if path is not None:
            p = Path(path).expanduser()
            p = p if p.is_absolute() else ctx.out.root / p
            if p.parent.is_dir():
                self.file = p
            else:
                ctx.problems.append(Diagnostic(UNCONFIGURED, f"configFile {path}: folder {p.parent} does not exist",
                                               self.spec.pos_of("configFile"), config=True))
        self.folder = OwnedFolder(self.file.parent, ctx.name, MODE) if self.file else None
        self.life = ctx.clients.client("alertmanager", AlertmanagerLifecycle) \
            if ctx.clients.defined("alertmanager") else None
        self.timeout = durations.seconds(self.spec.confirmTimeout)
        self._template: Any = None
        self._filled: str | None = None

    def pos(self):
        return self.spec.pos

    def where(self) -> str:
        url = self.ctx.clients.endpoint("alertmanager").describe() if self.life else "Alertmanager"
        return f"{self.file} for {url}"

    def desired(self) -> dict[str, Desired]:
        files = self.ctx.out.files("alertmanager", "alertmanager/")
        if not files or self.file is None:
            return {}
        rel = files[0]
        template = self.ctx.out.text(rel)
        origin = f"{self.ctx.out.path.name}/{rel}"
        filled, missing = self.ctx.secrets.fill_yaml(template)
        self.ctx.missing(missing, origin)
        self._template, self._filled = _yaml(template), filled
        content = filled.encode("utf-8")
        name = self.file.name
        return {name: Desired(name, {"content": fingerprint(content), "loaded": "yes", "mode": oct(MODE)},
                              _dump(self._template), origin, content)}

    def _owned(self, content: bytes | None) -> bool:
        """Listed in this project's manifest, or written by obs for this project (its header says so)."""
        if self.file.name in self.folder.owned():
            return True
        first = HEADER.format(project=self.ctx.name).splitlines()[0]
        return content is not None and content.decode("utf-8", "replace").startswith("# " + first)

    def observe(self, wanted: Collection[str]) -> dict[str, Observed]:
        loaded = _yaml(self.life.loaded_config())
        content = self.folder.read(self.file.name)
        if content is None:
            return {}
        ours = _yaml(content)
        running = ours is not None and covers(loaded, ours)
        parts = {"content": fingerprint(content), "loaded": "yes" if running else "no",
                 "mode": oct(self.folder.mode_of(self.file.name) or 0)}
        shown = _dump(self.ctx.secrets.mask(ours, self._template)) if ours is not None else "<not YAML>\n"
        return {self.file.name: Observed(self.file.name, parts, self._owned(content), shown)}

    def validate(self, changes: list[Change]) -> list[str]:
        if not any(c.action in ("create", "update") for c in changes):
            return []
        problems = amtool_check(self._filled or "")
        if problems is None:
            self.notes.append("amtool is not installed here: the config was not checked before the reload")
            return []
        return [self.ctx.secrets.scrub(p) for p in problems]

    def execute(self, changes: list[Change], done: Done) -> None:
        tx = Transaction(self.folder)
        writes = [c for c in changes if c.action in ("create", "update")]
        deletes = [c for c in changes if c.action == "delete"]
        write_files(tx, writes, deletes, (tx.before_owned | {c.key for c in writes}) - {c.key for c in deletes})
        if not writes:  # deleting the config leaves Alertmanager on the one it runs: nothing to reload
            for c in changes:
                done(c)
            return
        try:
            self.life.reload()
            self._confirm()
        except (LiveError, PushFailed) as e:
            tx.rollback()
            try:
                self.life.reload()
                after = "the previous config is back and Alertmanager reloaded it"
            except LiveError as again:
                after = f"the previous config is back, but reloading it failed too: {again.message}"
            raise PushFailed(f"{self.ctx.secrets.scrub(e.message)}; {after}", rolled_back=True) from None
        for c in changes:
            done(c)

    def _confirm(self) -> None:
        ours = _yaml(self._filled or "")
        deadline = time.monotonic() + self.timeout
        while not covers(_yaml(self.life.loaded_config()), ours):
            if time.monotonic() >= deadline:
                raise PushFailed("Alertmanager does not run the config obs wrote after the reload "
                                 f"(is {self.file} its --config.file?)")
            time.sleep(POLL)
