"""Apply: plan (diff) and push per target — the seam, before the pushers.

A plan is a list of Changes computed from out/ and what a server has now; `obs diff` prints
it, `obs apply` carries it out target by target, and `--prune` deletes only objects that
carry obs's ownership marks (app.kubernetes.io/managed-by: obs and obs.dev/project, or the
`obs` metadata of watches and monitors). Pushers must be idempotent: applying the same plan
twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Action = Literal["create", "update", "delete", "unchanged"]


@dataclass(frozen=True)
class Change:
    target: str
    action: Action
    name: str
    detail: str = ""

    def render(self) -> str:
        sign = {"create": "+", "update": "~", "delete": "-", "unchanged": "="}[self.action]
        return f"{sign} {self.target}: {self.name}" + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]

    @property
    def empty(self) -> bool:
        return all(c.action == "unchanged" for c in self.changes)
