"""Where the data shipped with obs lives: in a wheel under obs/_data, in a checkout at the top."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """The folder `name` (rules, dashboards, manifests, ci) of this installation."""
    for candidate in (_PKG / "_data" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    return _PKG.parent / name
