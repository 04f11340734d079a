"""Rule packs shipped in rules/: named sets of alerts a service takes with `uses:`."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from obs import codes
from obs.diagnostics import Diagnostics
from obs.model import AlertRule
from obs.model.service import PackUse
from obs.resources import resource_dir

if TYPE_CHECKING:
    from obs.catalog import ServiceEntry

UNKNOWN_PACK = codes.define("PK001", "pack/unknown", "`uses` names a rule pack that obs does not ship.")


def available() -> list[str]:
    folder = resource_dir("rules")
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def expand(use: PackUse, service: "ServiceEntry", diags: Diagnostics) -> list[AlertRule]:
    """The pack's alerts with its parameters filled in; unknown packs are one diagnostic."""
    names = available()
    if use.pack not in names:
        close = difflib.get_close_matches(use.pack, names, n=1, cutoff=0.6)
        diags.error(UNKNOWN_PACK, f"unknown rule pack {use.pack!r}", use.pos_of("pack"),
                    hint=f"did you mean '{close[0]}'?" if close else
                    (f"packs: {', '.join(names)}" if names else "no packs are installed"))
        return []
    return []
