"""Dashboard checks: templates a service asks for, and what the compiled dashboards hold —
Angular panels, datasources by name, PromQL that does not parse, ConfigMaps too large to apply,
datasource variables and query variables the dashboard does not define."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from obs.checks import check
from obs.checks.promql import parse_error
from obs.dashboards import templates
from obs.dashboards.walk import (ANGULAR, fill_variables, panels, queries, resolve_datasource, variable_name,
                                 variables, variables_used)
from obs.diagnostics import Diagnostic, Position, Severity

if TYPE_CHECKING:
    from obs.pipeline import Build

KUBECTL_ANNOTATION_LIMIT = 262144  # bytes; client-side `kubectl apply` keeps the object in an annotation
CONFIGMAP_LIMIT = 1048576  # bytes; what the API server stores


def _dashboards(build: Build) -> Iterator[tuple[str, dict, Position | None]]:
    """The compiled dashboards, parsed once per build for all the checks below."""
    cached = build.__dict__.get("_obs_dashboards")
    if cached is None or cached[0] is not build.artifacts:
        cached = (build.artifacts, [(a.path, json.loads(a.content), a.sources[0].pos if a.sources else None)
                                    for a in build.artifacts if a.target == "grafana"
                                    and a.path.startswith("grafana/") and a.path.endswith(".json")])
        build.__dict__["_obs_dashboards"] = cached
    yield from cached[1]


def _title(panel: dict) -> str:
    return repr(panel.get("title") or f"panel {panel.get('id', '?')}")


@check("DB010", "dashboard/unknown-template", "A Service lists a dashboard template obs does not have.")
def unknown_template(build: Build) -> list[Diagnostic]:
    known = set(templates.names())
    out = []
    for service in build.catalog.services.values():
        for name in service.dashboards:
            if name not in known:
                pos = service.spec.pos_of("dashboards") or service.origin.pos
                out.append(Diagnostic("DB010", f"service {service.name}: no dashboard template {name!r}", pos,
                                      hint=f"templates: {', '.join(templates.selectable())}; your own dashboards "
                                           "go in files matched by `dashboards` in obs.yaml"))
            elif name == templates.SLO and not any(s.service == service.name for s in build.catalog.slos):
                out.append(Diagnostic("DB010", f"service {service.name} lists the slo dashboard but has no SLOs",
                                      service.spec.pos_of("dashboards"), Severity.WARNING,
                                      hint="the slo dashboard is made for every service with SLOs; list it "
                                           "nowhere"))
    return out


@check("DB011", "dashboard/angular-panel", "A dashboard uses an AngularJS panel (off by default since Grafana 11).")
def angular(build: Build) -> list[Diagnostic]:
    out = []
    for path, data, pos in _dashboards(build):
        for panel in panels(data):
            kind = panel.get("type")
            if kind in ANGULAR:
                out.append(Diagnostic("DB011", f"{path}: panel {_title(panel)} is an Angular {kind!r} panel, "
                                      "which Grafana 11 no longer loads by default", pos, Severity.WARNING,
                                      hint=f"use {ANGULAR[kind]!r} instead (grafanalib: TimeSeries, Stat, Table…)"))
    return out


@check("DB012", "dashboard/datasource-by-name", "A panel or query names its datasource by a plain name "
       "instead of {type, uid}.")
def datasource_names(build: Build) -> list[Diagnostic]:
    out = []
    for path, data, pos in _dashboards(build):
        for panel in panels(data):
            for ds in [panel.get("datasource"), *(t.get("datasource") for t in panel.get("targets") or []
                                                   if isinstance(t, dict))]:
                if isinstance(ds, str) and not ds.startswith("$") and not ds.startswith("-- "):
                    out.append(Diagnostic("DB012", f"{path}: panel {_title(panel)} names datasource {ds!r}; "
                                          "names differ between Grafana instances", pos, Severity.WARNING,
                                          hint='write {"type": "prometheus", "uid": "prometheus"}'))
                    break
    return out


@check("DB013", "dashboard/promql", "A dashboard query is not valid PromQL (Grafana's variables filled in).")
def promql(build: Build) -> list[Diagnostic]:
    out = []
    for path, data, pos in _dashboards(build):
        for panel, target in queries(data):
            ds = target.get("datasource") or panel.get("datasource")
            if isinstance(ds, dict) and ds.get("type") not in (None, "prometheus"):
                continue
            expr, certain = fill_variables(target["expr"])
            problem = parse_error(expr) if certain else None
            if problem:
                out.append(Diagnostic("DB013", f"{path}: panel {_title(panel)} query {target.get('refId', '?')}: "
                                      f"invalid PromQL: {problem}", pos))
    return out


@check("DB014", "dashboard/too-large", "A dashboard's ConfigMap is too large for kubectl apply or Kubernetes.")
def too_large(build: Build) -> list[Diagnostic]:
    out = []
    for a in build.artifacts:
        if a.target == "grafana" and a.path.startswith("kubernetes/"):
            size, pos = len(a.content), a.sources[0].pos if a.sources else None
            if size > CONFIGMAP_LIMIT:
                out.append(Diagnostic("DB014", f"{a.path} is {size} bytes, above the 1 MiB Kubernetes stores", pos,
                                      hint="split the dashboard"))
            elif size > KUBECTL_ANNOTATION_LIMIT:
                out.append(Diagnostic("DB014", f"{a.path} is {size} bytes: client-side `kubectl apply` refuses "
                                      "objects above 256 KiB", pos, Severity.WARNING,
                                      hint="apply it with `kubectl apply --server-side` or `obs apply`"))
    return out


def _sources(panel: dict) -> Iterator[object]:
    yield panel.get("datasource")
    yield from (t.get("datasource") for t in panel.get("targets") or [] if isinstance(t, dict))


@check("DB015", "dashboard/datasource-variable", "A panel's datasource names a variable that is not a "
       "datasource variable of the dashboard with a current datasource.")
def datasource_variables(build: Build) -> list[Diagnostic]:
    out = []
    for path, data, pos in _dashboards(build):
        defined = variables(data)
        for panel in panels(data):
            for ds in _sources(panel):
                uid = ds.get("uid") if isinstance(ds, dict) else ds
                name = variable_name(uid) if isinstance(uid, str) else None
                if name is None or resolve_datasource(uid, defined) is not None:
                    continue
                what = "has no datasource selected" if defined.get(name, {}).get("type") == "datasource" else \
                    "is not a datasource variable of the dashboard"
                out.append(Diagnostic("DB015", f"{path}: panel {_title(panel)} reads datasource {uid!r}, which "
                                      f"{what}: Grafana opens it with no datasource", pos, Severity.WARNING,
                                      hint=f'define a variable {{"name": "{name}", "type": "datasource", "query": '
                                           '"prometheus", "current": {"value": "<uid>"}}'))
                break
    return out


@check("DB016", "dashboard/undefined-variable", "A dashboard query uses a variable the dashboard does not define.")
def undefined_variables(build: Build) -> list[Diagnostic]:
    out = []
    for path, data, pos in _dashboards(build):
        defined = set(variables(data))
        for panel, target in queries(data):
            missing = sorted(variables_used(target["expr"]) - defined)
            if missing:
                out.append(Diagnostic("DB016", f"{path}: panel {_title(panel)} query {target.get('refId', '?')} "
                                      f"uses ${', $'.join(missing)}, which the dashboard does not define: Grafana "
                                      "sends the text as it is", pos, Severity.WARNING,
                                      hint="add the variable to templating.list, or write the value"))
    return out
