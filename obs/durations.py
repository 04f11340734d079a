"""Prometheus-style durations (5m, 1h30m, 30d): parsing, formatting, arithmetic in seconds."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

_UNITS = {"y": 365 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}
_DURATION = re.compile(r"^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$")
_ORDER = ("y", "w", "d", "h", "m", "s", "ms")


def is_duration(text: object) -> bool:
    return isinstance(text, str) and text != "" and bool(_DURATION.match(text))


def seconds(text: str) -> float:
    """Seconds in a duration; ValueError for anything Prometheus would not accept (memoised:
    every SLO plan asks for the same few windows)."""
    if type(text) is str:
        return _seconds(text)
    return _parse(text)


@lru_cache(maxsize=4096)
def _seconds(text: str) -> float:
    return _parse(text)


def _parse(text: str) -> float:
    m = _DURATION.match(text) if isinstance(text, str) else None
    if not text or not m:
        raise ValueError(f"{text!r} is not a duration (examples: 30s, 5m, 1h30m, 7d)")
    groups = m.groups()
    total = 0.0
    for i, unit in enumerate(_ORDER):
        if groups[2 * i + 1]:
            total += int(groups[2 * i + 1]) * _UNITS[unit]
    return total


_DECIMAL = re.compile(r"^(\d+\.\d+)(ms|s|m|h)$")


def threshold_seconds(text: object) -> float:
    """A latency threshold in seconds: a duration (300ms, 1s) or a decimal with one unit (0.5s,
    2.5s), since histogram bounds are decimals of seconds. ValueError for anything else."""
    m = _DECIMAL.match(text) if isinstance(text, str) else None
    if m:
        return float(Decimal(m.group(1)) * Decimal(str(_UNITS[m.group(2)])))
    if not is_duration(text):
        raise ValueError(f"{text!r} is not a duration (examples: 300ms, 0.5s, 2s)")
    return seconds(str(text))


def format_seconds(value: float) -> str:
    """The shortest Prometheus duration for a number of seconds (rounded to whole seconds
    unless below one). Memoised for the few windows every SLO's rules name."""
    if type(value) is float or type(value) is int:
        return _format_cached(value)
    return _format(value)


@lru_cache(maxsize=4096)
def _format_cached(value: float) -> str:
    return _format(value)


def _format(value: float) -> str:
    if value < 1:
        return f"{round(value * 1000)}ms"
    rest = int(round(value))
    out = []
    for unit in ("w", "d", "h", "m", "s"):
        size = int(_UNITS[unit])
        if unit == "w" and rest % size:
            continue  # 10d reads better than 1w3d
        if rest >= size:
            out.append(f"{rest // size}{unit}")
            rest %= size
    return "".join(out) or "0s"
