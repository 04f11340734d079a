"""Placeholder until the foreign-format issue lands: recognised, not yet compiled."""

from __future__ import annotations

from typing import Any

from obs import codes
from obs.diagnostics import Diagnostics

IMPORT_NOT_READY = codes.define("IM000", "import/not-supported-yet", "A recognised foreign format obs does not compile yet.")


def detect(doc: Any) -> bool:
    return isinstance(doc, dict) and "apiVersion" not in doc and all(k in doc for k in ("type", "index", "alert"))


def adapt(docs: list, diags: Diagnostics) -> list:
    for doc in docs:
        diags.warning(IMPORT_NOT_READY, f"{doc.format} documents are recognised but not supported yet", doc.pos)
    return []
