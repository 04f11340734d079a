"""What a dashboard template is given: the service, its selector, datasource, tags and links.

Templates (dashboards/*.py) read only this, so they stay small grafanalib code and every
choice that comes from the definitions (selectors from packs, conventions by runtime,
the datasource uid) is made here, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from obs.catalog import Catalog, LogAlertEntry, ServiceEntry
from obs.dashboards import dashboard_uid
from obs.dashboards import variables as var
from obs.dashboards.sloview import SLOView, slo_views

#: Grafana's type names of the Prometheus and Elasticsearch datasource plugins
PROMETHEUS = "prometheus"
ELASTICSEARCH = "elasticsearch"
#: the templates that show the service's log alerts' logs (its own pods' view)
LOG_TEMPLATES = frozenset({"red"})

#: The RED conventions by runtime: Micrometer for java, prometheus_client-style names elsewhere
RED_CONVENTIONS: dict[str, dict[str, str]] = {
    "java": {"requests": "http_server_requests_seconds_count", "duration": "http_server_requests_seconds_bucket",
             "status": "status", "route": "uri", "errors": "5..", "selector": 'application="{service}"'},
    "python": {"requests": "http_requests_total", "duration": "http_request_duration_seconds_bucket",
               "status": "status", "route": "handler", "errors": "5..", "selector": 'service="{service}"'},
    "go": {"requests": "http_requests_total", "duration": "http_request_duration_seconds_bucket",
           "status": "code", "route": "handler", "errors": "5..", "selector": 'service="{service}"'},
    "nodejs": {"requests": "http_request_duration_seconds_count", "duration": "http_request_duration_seconds_bucket",
               "status": "status_code", "route": "path", "errors": "5..", "selector": 'service="{service}"'},
}
RED_CONVENTIONS["other"] = RED_CONVENTIONS["go"]

#: the selector a template uses when neither obs.yaml nor a pack names one
DEFAULT_SELECTORS = {"jvm": 'application="{service}"', "python": 'service="{service}"'}
NAMESPACE_SELECTOR = 'namespace="{namespace}"'


@dataclass(frozen=True)
class RED:
    requests: str
    duration: str
    status: str
    route: str
    errors: str
    selector: str


@dataclass(frozen=True)
class Context:
    project: str
    service: ServiceEntry
    template: str
    uid: str
    datasource: dict
    #: label matchers, without braces, that select this service's series for the template
    selector: str
    red: RED
    slos: tuple[SLOView, ...] = ()
    tags: tuple[str, ...] = ()
    #: links shown at the top of the dashboard (grafanalib DashboardLink arguments)
    links: tuple[dict, ...] = field(default=())
    #: the parameters of the rule pack named like the template (its defaults, then the service's
    #: `with`), so panels turn red where the pack's alerts fire
    pack: dict = field(default_factory=dict)
    #: the dashboard's template variables (Grafana JSON), the datasource picker first
    variables: tuple[dict, ...] = ()
    #: matchers every selector of the template carries: `cluster=~"$cluster"`, `pod=~"$pod"`…
    filters: tuple[str, ...] = ()
    #: (group label, variable name) of the SLOs' groupBy labels that have a variable
    groups: tuple[tuple[str, str], ...] = ()
    #: the service's log alerts with a Lucene query (or none), whose logs the template shows
    log_alerts: tuple[LogAlertEntry, ...] = ()

    @property
    def logs_datasource(self) -> dict:
        """`{type, uid}` naming the `${logs}` Elasticsearch variable."""
        return {"type": ELASTICSEARCH, "uid": var.ref(var.LOGS_DATASOURCE)}

    def limit(self, name: str, default: float) -> float:
        """A pack threshold as a number (the pack's default when the service does not set it)."""
        try:
            return float(self.pack.get(name, default))
        except (TypeError, ValueError):
            return default

    def sel(self, metric: str, *extra: str) -> str:
        """`metric{selector, extra…}`: the one way templates write a series selector."""
        matchers = ", ".join(m for m in (self.selector, *extra, *self.filters) if m)
        return f"{metric}{{{matchers}}}"

    def slo_sel(self, view: SLOView, grouped: bool = True) -> str:
        """The matchers of one SLO's recordings: service and slo, the cluster, its group labels
        (not for the objective and budget, which are recorded once per SLO, without them)."""
        groups = [var.matcher(label, name) for label, name in self.groups if grouped and label in view.group_by]
        return ", ".join([view.matchers, *self.filters, *groups])

    @property
    def title(self) -> str:
        return f"{self.service.name} / {self.template}"


def red_convention(catalog: Catalog, service: ServiceEntry) -> RED:
    base = dict(RED_CONVENTIONS.get(service.runtime, RED_CONVENTIONS["other"]))
    override = catalog.defaults.grafana.red.get(service.runtime)
    if override is not None:
        base.update({k: v for k, v in override.model_dump().items() if v is not None})
    base["selector"] = _fill(base["selector"], service)
    return RED(**base)


def selector(catalog: Catalog, service: ServiceEntry, template: str) -> str:
    """A pack of the same name with `with.selector` wins, then obs.yaml, then the template's default."""
    for use in service.spec.uses:
        if use.pack == template and isinstance(use.with_.get("selector"), str):
            return _fill(use.with_["selector"], service)
    configured = catalog.defaults.grafana.selectors.get(template)
    if configured is not None:
        return _fill(configured, service)
    if template == "red":
        return red_convention(catalog, service).selector
    if template in DEFAULT_SELECTORS:
        return _fill(DEFAULT_SELECTORS[template], service)
    return _fill(NAMESPACE_SELECTOR, service) if service.namespace else ""


def pack_parameters(service: ServiceEntry, template: str) -> dict:
    from obs import packs

    if template not in packs.available():
        return {}
    pack, _, _ = packs.load(template)
    values = dict(pack.defaults()) if pack else {}
    for use in service.spec.uses:
        if use.pack == template:
            values.update(use.with_)
    return values


def _fill(text: str, service: ServiceEntry) -> str:
    text = text.strip()
    if text.startswith("{") and text.endswith("}") and "=" in text.split("}", 1)[0]:
        text = text[1:-1].strip()  # written as a full selector: {a="b"}
    return text.replace("{service}", service.name).replace("{namespace}", service.namespace or "")


def datasource(catalog: Catalog) -> dict:
    """`{type, uid}` naming the `${datasource}` variable, whose default is defaults.grafana.datasource."""
    return {"type": PROMETHEUS, "uid": var.ref(var.DATASOURCE)}


def with_variables(catalog: Catalog, ctx: Context) -> Context:
    """The context with its variables: datasource, cluster, then namespace/pod for a template that
    declares `workload(ctx)` (the series its pods expose), or the SLOs' group labels."""
    from obs.dashboards import templates

    settings = catalog.defaults.grafana
    out = [var.datasource(var.DATASOURCE, PROMETHEUS, settings.datasource, "Prometheus")]
    if ctx.log_alerts:
        out.append(var.datasource(var.LOGS_DATASOURCE, ELASTICSEARCH, settings.logsDatasource, "Logs"))
    filters: list[str] = []
    if settings.clusterLabel:
        out.append(var.query(var.CLUSTER, var.label_values("up", settings.clusterLabel), multi=False))
        filters.append(var.matcher(settings.clusterLabel, var.CLUSTER))
    ctx = replace(ctx, filters=tuple(filters))
    workload = getattr(templates.module(ctx.template), "workload", None)
    if workload is not None:
        for label in (var.NAMESPACE, var.POD):
            out.append(var.query(label, var.label_values(ctx.sel(workload(ctx)), label)))
            filters.append(var.matcher(label, label))
            ctx = replace(ctx, filters=tuple(filters))
    groups = _groups(ctx, settings.clusterLabel)
    for label, name, selector in groups:
        out.append(var.query(name, var.label_values(selector, label), label=label, include_all=False))
    return replace(ctx, variables=tuple(out), groups=tuple((label, name) for label, name, _ in groups))


def _groups(ctx: Context, cluster: str | None) -> list[tuple[str, str, str]]:
    """(label, variable, selector) per groupBy label of the SLOs: the variable is named like the
    label unless another variable has that name; the selector reads the SLOs' base-window ratio."""
    labels = [label for view in ctx.slos for label in view.group_by if label != cluster]
    taken = {var.DATASOURCE, var.LOGS_DATASOURCE, var.CLUSTER, var.NAMESPACE, var.POD}
    out = []
    for label in dict.fromkeys(labels):
        views = [v for v in ctx.slos if label in v.group_by]
        names = sorted({f"slo:sli_error:ratio_rate{v.base}" for v in views})
        slos = "|".join(sorted({v.entry.name for v in views}))
        metric = names[0] if len(names) == 1 else ""
        matchers = [f'__name__=~"{"|".join(names)}"'] if not metric else []
        matchers += [f'service="{ctx.service.name}"', f'slo="{slos}"' if len(views) == 1 else f'slo=~"{slos}"',
                     *ctx.filters]
        out.append((label, label if label not in taken else f"slo_{label}", f"{metric}{{{', '.join(matchers)}}}"))
    return out


def tags(service: ServiceEntry, template: str) -> tuple[str, ...]:
    return ("obs", f"service:{service.name}", f"team:{service.team}", template)


def context(catalog: Catalog, service: ServiceEntry, template: str) -> Context:
    links = ({"title": f"{service.name} dashboards", "type": "dashboards", "tags": ["obs", f"service:{service.name}"],
              "asDropdown": True, "keepTime": True},)
    runbooks = sorted({s.runbook for s in catalog.slos if s.service == service.name and s.runbook})
    links += tuple({"title": "runbook" if len(runbooks) == 1 else f"runbook {i + 1}", "type": "link", "uri": url,
                    "icon": "doc", "targetBlank": True} for i, url in enumerate(runbooks))
    views = slo_views(catalog, service.name) if template == "slo" else ()
    logs = tuple(a for a in catalog.for_service(service.name).log_alerts if a.spec.filter is None and a.raw is None)
    ctx = Context(catalog.name, service, template, dashboard_uid(service.name, template), datasource(catalog),
                  selector(catalog, service, template), red_convention(catalog, service), views,
                  tags(service, template), links, pack_parameters(service, template),
                  log_alerts=logs if template in LOG_TEMPLATES else ())
    return with_variables(catalog, ctx)
