"""Checks on `uses:` beyond what expansion reports: the same pack taken twice alike."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from obs.checks import check
from obs.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from obs.pipeline import Build


@check("PK006", "pack/used-twice", "A service uses the same rule pack twice with the same parameters, which "
                                   "would give every alert twice.")
def used_twice(build: Build) -> list[Diagnostic]:
    out = []
    for svc in build.catalog.services.values():
        seen: dict[str, int] = {}
        for i, use in enumerate(svc.spec.uses):
            key = use.pack + json.dumps(use.with_, sort_keys=True, default=str)
            if key in seen:
                out.append(Diagnostic("PK006", f"service {svc.name!r} uses pack {use.pack!r} twice with the same "
                                      f"parameters (also entry {seen[key] + 1} of `uses`)", use.pos_of("pack"),
                                      Severity.WARNING, hint="remove one, or give each a different selector"))
            else:
                seen[key] = i
    return out
