"""The built-in templates: one grafanalib module per template in dashboards/ (shipped with obs).

A template module has a docstring (what it shows and which exporter it expects),
`series(ctx)` (every metric name its queries read, so tests can hold it to that) and
`dashboard(ctx)` returning a grafanalib Dashboard.
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from types import ModuleType

from grafanalib._gen import DashboardEncoder

from obs.dashboards.context import Context
from obs.dashboards.encode import _DEFAULTS as DEFAULTS
from obs.dashboards.encode import _NOISE as NOISE
from obs.dashboards.encode import tidy
from obs.resources import resource_dir

#: the template every service with SLOs gets; not chosen in `spec.dashboards`
SLO = "slo"


def folder() -> Path:
    return resource_dir("dashboards")


@cache
def names() -> tuple[str, ...]:
    """Every template name, sorted: the .py files of dashboards/ (without the leading underscore ones)."""
    return tuple(sorted(p.stem for p in folder().glob("*.py") if not p.stem.startswith("_")))


def selectable() -> tuple[str, ...]:
    """The names a Service may list in `spec.dashboards`."""
    return tuple(n for n in names() if n != SLO)


@cache
def module(name: str) -> ModuleType:
    path = folder() / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"obs_dashboard_template_{name}", path)
    if spec is None or spec.loader is None:
        raise LookupError(f"no dashboard template {name!r} in {folder()}")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def render(name: str, ctx: Context) -> dict:
    """The template's dashboard as Grafana JSON (a plain dict), without grafanalib's noise."""
    dashboard = module(name).dashboard(ctx)
    try:
        return _tidy_dict(dashboard)
    except _Unusual:
        return tidy(to_dict(dashboard))


def series(name: str, ctx: Context) -> frozenset[str]:
    return frozenset(module(name).series(ctx))


def to_dict(dashboard: object) -> dict:
    """grafanalib objects (or a plain dict) → plain JSON data: what a round trip through
    grafanalib's own encoder gives (that round trip itself for anything unusual)."""
    try:
        return _plain(dashboard, 0)
    except _Unusual:
        return json.loads(json.dumps(dashboard, cls=DashboardEncoder))


class _Unusual(Exception):
    """Data whose JSON round trip the walk below does not reproduce (subclasses, odd keys)."""


_SCALARS = (str, int, float, bool, type(None))


def _plain(o: object, depth: int) -> object:
    t = type(o)
    if t in _SCALARS:
        return o
    if depth > 400:
        raise _Unusual
    if t is dict:
        out = {}
        for k, v in o.items():
            if type(k) is not str:
                raise _Unusual
            out[k] = v if type(v) in _SCALARS else _plain(v, depth + 1)
        return out
    if t is list or t is tuple:
        return [v if type(v) in _SCALARS else _plain(v, depth + 1) for v in o]
    if isinstance(o, (str, int, float, list, tuple, dict)):
        raise _Unusual  # json encodes subclasses as their base type, before asking the encoder
    to_json_data = getattr(o, "to_json_data", None)
    if not to_json_data:
        raise _Unusual
    return _plain(to_json_data(), depth + 1)


def _tidy_dict(dashboard: object) -> dict:
    """tidy(to_dict(dashboard)) in one walk: the panels are tidied as they are converted."""
    top = dashboard if type(dashboard) is dict else getattr(dashboard, "to_json_data", None)
    if top is None:
        raise _Unusual
    top = top if type(top) is dict else top()
    if type(top) is not dict or type(top.get("panels")) not in (list, tuple, type(None)):
        raise _Unusual
    out = {}
    for key, value in top.items():
        if type(key) is not str:
            raise _Unusual
        value = [_tidied(p, 1) for p in value] if key == "panels" and value is not None else _plain(value, 1)
        if value is not None:
            out[key] = value
    out["panels"] = out.get("panels") or []
    return out


def _tidied(o: object, depth: int) -> object:
    """_plain, with grafanalib's noise left out as encode.tidy leaves it out of panels."""
    t = type(o)
    if t in _SCALARS:
        return o
    if depth > 400:
        raise _Unusual
    if t is list or t is tuple:
        return [v if type(v) in _SCALARS else _tidied(v, depth + 1) for v in o]
    if t is not dict:
        if isinstance(o, (str, int, float, list, tuple, dict)):
            raise _Unusual
        to_json_data = getattr(o, "to_json_data", None)
        if not to_json_data:
            raise _Unusual
        return _tidied(to_json_data(), depth + 1)
    out = {}
    for key, value in o.items():
        if type(key) is not str:
            raise _Unusual
        if type(value) not in _SCALARS:
            value = _tidied(value, depth + 1)
        if value is None and key != "value":
            continue
        if key in NOISE and (value is None or DEFAULTS.get(key, _MISSING) == value
                             or (key == "query" and "bucketAggs" not in o)):
            continue
        out[key] = value
    return out


_MISSING = object()


def summary(name: str) -> str:
    """The first line of a template's docstring, for docs and `obs lint` hints."""
    return ((module(name).__doc__ or "").strip().splitlines() or [""])[0]
