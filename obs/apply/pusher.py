"""A pusher per target: what out/ wants (desired), what the server has (observe), a dry run of
the writes (validate) and the writes themselves (execute). Pushers register by target name;
modules in obs/apply/targets/ are imported on demand, as live checks are.

Dependency order between targets is `order` (lower first); inside a target, execute gets
creates and updates before deletes, and orders further itself (channels before monitors).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from obs import codes
from obs.apply import Change, Desired, Observed
from obs.apply.outdir import OutDir
from obs.apply.secrets import Secrets
from obs.diagnostics import Diagnostic, Position
from obs.live.clients import Clients
from obs.live.environment import ResolvedEnvironment, _value
from obs.project import Environment, Project

UNCONFIGURED = codes.define("AP009", "apply/target-settings",
                            "A target's settings in the environment are missing or unusable (rulesDir, configFile...).")
MISSING_VAR = codes.define("AP002", "apply/missing-variable",
                           "A ${VAR} placeholder in out/ has no value in the environment obs apply runs in.")

#: called by a pusher after each change it carried out
Done = Callable[[Change], None]


class PushFailed(Exception):
    """A target could not finish. `rolled_back`: what it had done was undone (files restored);
    `code`: the target's own code for what refused it (default AP006/AP007)."""

    def __init__(self, message: str, rolled_back: bool = False, hint: str | None = None,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.message, self.rolled_back, self.hint, self.code = message, rolled_back, hint, code


@dataclass
class Context:
    project: Project
    env_name: str
    environment: Environment
    resolved: ResolvedEnvironment
    out: OutDir
    clients: Clients
    secrets: Secrets
    problems: list[Diagnostic] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.project.name

    def value(self, spec: Any, key: str) -> str | None:
        """A setting that may be `{env: NAME}`; a missing variable is a problem at its obs.yaml line."""
        raw = getattr(spec, key, None)
        return None if raw is None else _value(raw, spec.pos_of(key), self.problems)

    def folder(self, spec: Any, key: str) -> Path | None:
        """A folder setting that must exist (a typo must not make obs create a new, unread folder)."""
        value = self.value(spec, key)
        if value is None:
            return None
        path = Path(value).expanduser()
        if not path.is_absolute():
            path = self.out.root / path
        if not path.is_dir():
            self.problems.append(Diagnostic(UNCONFIGURED, f"{key} {value} is not a folder", spec.pos_of(key),
                                            hint="create it, or point it at the folder the server reads", config=True))
            return None
        return path

    def missing(self, names: list[str], origin: str) -> None:
        for name in names:
            self.problems.append(Diagnostic(MISSING_VAR, f"${{{name}}} is not set in the environment obs apply "
                                            "runs in (this file needs it)", Position(origin),
                                            hint="export it in the CI job (values are never printed or written)",
                                            config=True))


class Pusher:
    target: ClassVar[str]
    kind: ClassVar[str] = "object"
    order: ClassVar[int] = 50
    #: the environment's section this target is set up in (default: the target's name); a target
    #: whose section is absent is not mentioned in the plan at all
    section: ClassVar[str | None] = None

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        #: lines for the summary (a validator that was not found, groups not evaluated yet, ...)
        self.notes: list[str] = []

    #: the environment's entry this target pushes to, the setting it needs there (if any), the
    #: compile target whose output it pushes, and a reason to give instead of "no <server>"
    server: str = ""
    setting: str | None = None
    compiled_by: str = ""
    absent: str | None = None

    @classmethod
    def configured(cls, env: Environment, project: Project) -> str | None:
        """None when the environment (and the project's compile targets) call for this target, else why not."""
        spec = getattr(env, cls.server, None)
        if spec is None:
            return cls.absent or f"no {cls.server} in this environment"
        if cls.setting is not None and getattr(spec, cls.setting) is None:
            return f"no {cls.server}.{cls.setting} in this environment"
        if cls.compiled_by not in project.spec.targets:
            return f"the project does not compile the {cls.compiled_by} target"
        return None

    def where(self) -> str:
        return ""

    def pos(self) -> Position | None:
        """The obs.yaml line of this target's settings: problems with the server point there."""
        return None

    def desired(self) -> dict[str, Desired]:
        raise NotImplementedError

    def observe(self, wanted: Collection[str]) -> dict[str, Observed]:
        """This project's objects on the server, and any object with a key out/ wants (to see conflicts)."""
        raise NotImplementedError

    def plan_notes(self) -> list[str]:
        """Lines the plan shows under this target, after observe (objects it leaves alone, and why)."""
        return []

    def validate(self, changes: list[Change]) -> list[str]:
        """A dry run of the writes where the server (or a local validator) allows; the problems found."""
        return []

    def execute(self, changes: list[Change], done: Done) -> None:
        """Carry the changes out, calling done(change) after each; raise PushFailed (or a LiveError)
        when it cannot finish, saying in the message what it undid."""
        raise NotImplementedError


PUSHERS: dict[str, type[Pusher]] = {}


def register(cls: type[Pusher]) -> type[Pusher]:
    PUSHERS[cls.target] = cls
    return cls


def load_all() -> dict[str, type[Pusher]]:
    from obs.apply import targets
    for mod in pkgutil.iter_modules(targets.__path__):
        importlib.import_module(f"obs.apply.targets.{mod.name}")
    return dict(sorted(PUSHERS.items(), key=lambda kv: (kv[1].order, kv[0])))
