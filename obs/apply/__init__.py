"""Apply: a plan (what `obs diff` prints) and its execution (`obs apply`), per target.

A plan is a value: for each target, the Changes that make the server match out/, computed by
one pure function (obs.apply.plan) from what out/ wants (Desired) and what the server has
(Observed). Each target has a pusher (obs.apply.pusher) that observes, states the desired
objects and executes changes. Deletes are proposed only for objects carrying this project's
marks; without `--prune` they show as "would prune" and are left alone. Applying the same
out/ twice changes nothing the second time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

#: orphan: owned by this project, gone from out/, kept because --prune was not given ("would prune");
#: conflict: out/ wants an object that exists on the server and is not this project's
Action = Literal["create", "update", "delete", "unchanged", "orphan", "conflict"]
SIGNS = {"create": "+", "update": "~", "delete": "-", "unchanged": "=", "orphan": "?", "conflict": "!"}
WRITES = ("create", "update", "delete")


def fingerprint(value: Any) -> str:
    """A short stable hash of a JSON-able value or of bytes/text."""
    if isinstance(value, bytes):
        raw = value
    elif isinstance(value, str):
        raw = value.encode("utf-8")
    else:
        raw = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class Desired:
    """An object as out/ wants it. `parts` are compared with the observed object's, part by
    part, so a change can say why (definition, secret values, loaded by the server)."""

    key: str
    parts: Mapping[str, str]
    #: canonical text for `diff -v`: placeholders such as ${VAR}, never a value
    shown: str = ""
    #: where in out/ it comes from
    origin: str = ""
    #: what execute sends (placeholders filled): never rendered
    payload: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Observed:
    """An object as the server (or the folder) has it; `owned` when it carries this project's marks."""

    key: str
    parts: Mapping[str, str]
    owned: bool = True
    #: canonical text for `diff -v`, secret values masked
    shown: str = ""
    #: what the pusher needs to change it (a server id, a sequence number): not compared
    handle: Any = field(default=None, compare=False, repr=False)
    #: why obs may not change it though it carries this project's marks (a dashboard Grafana
    #: provisions from a file), and what to do: such an object is a conflict, never written
    conflict: str | None = None
    hint: str | None = None


@dataclass(frozen=True)
class Change:
    target: str
    key: str
    action: Action
    reason: str = ""
    #: canonical before/after (for `diff -v`): secret values are never part of them
    before: str | None = None
    after: str | None = None
    origin: str = ""
    owned: bool = True
    desired: Desired | None = field(default=None, compare=False, repr=False)
    observed: Observed | None = field(default=None, compare=False, repr=False)

    @property
    def writes(self) -> bool:
        return self.action in WRITES

    def render(self) -> str:
        return f"{SIGNS[self.action]} {self.target}: {self.key}" + (f" ({self.reason})" if self.reason else "")


@dataclass(frozen=True)
class TargetPlan:
    target: str
    changes: tuple[Change, ...] = ()
    #: digest of the observed state the plan was computed from (apply refuses if it moved)
    digest: str = ""
    #: where the target is (a folder, a URL), for the plan's heading
    where: str = ""
    #: why the target was not planned, when it was not
    skipped: str | None = None
    #: lines the plan shows under the target (objects it never prunes, ...)
    notes: tuple[str, ...] = ()

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def writes(self) -> list[Change]:
        return [c for c in self.changes if c.writes]


@dataclass(frozen=True)
class Plan:
    env: str
    targets: tuple[TargetPlan, ...]
    prune: bool = False
    #: what the plan pushes: out/, or a bootstrap DIR (`obs apply --bootstrap DIR`)
    source: str = "out/"

    @property
    def changes(self) -> tuple[Change, ...]:
        return tuple(c for t in self.targets for c in t.changes)

    @property
    def digest(self) -> str:
        return fingerprint({t.target: t.digest for t in self.targets})

    def count(self, action: Action) -> int:
        return sum(t.count(action) for t in self.targets)

    @property
    def empty(self) -> bool:
        """Nothing apply would write (orphans kept without --prune do not count)."""
        return not any(c.writes for c in self.changes)

    @property
    def conflicts(self) -> list[Change]:
        return [c for c in self.changes if c.action == "conflict"]
