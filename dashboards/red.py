"""RED: request rate, errors and duration of an HTTP service.

Reads a request counter and a duration histogram named by the runtime's convention
(Micrometer `http_server_requests_seconds_*` for java; prometheus_client-style
`http_requests_total` / `http_request_duration_seconds_bucket` for python and go;
express-prom-bundle's `http_request_duration_seconds_*` for nodejs), overridable in
obs.yaml `defaults.grafana.red.<runtime>`.
"""

from obs.dashboards.panels import GREEN, ORANGE, RED, dashboard as build, log_count, log_lines, stat, steps, timeseries
from obs.logs import condition_of
from obs.logs.condition import Condition

RATE = "$__rate_interval"


def series(ctx):
    return {ctx.red.requests, ctx.red.duration}


def workload(ctx):
    """The series the namespace and pod variables list values of: the service's own pods."""
    return ctx.red.requests


def dashboard(ctx):
    c = ctx.red
    requests = ctx.sel(c.requests)
    errors = ctx.sel(c.requests, f'{c.status}=~"{c.errors}"')
    buckets = ctx.sel(c.duration)

    def error_rate(by=""):
        """Errors / s, 0 (not "No data") where requests came but no error series exists yet, as the
        SLO rules count it; still nothing where nothing was requested, so 0 is always a real 0."""
        group = f" by ({by}) " if by else ""
        return f"sum{group}(rate({errors}[{RATE}])) or sum{group}(rate({requests}[{RATE}])) * 0"

    error_ratio = f"({error_rate()}) / sum(rate({requests}[{RATE}]))"

    def quantile(q, by=""):
        group = f"le, {by}" if by else "le"
        return f"histogram_quantile({q}, sum by ({group}) (rate({buckets}[{RATE}])))"

    overview = [
        stat(ctx, "Requests / s", [f"sum(rate({requests}[{RATE}]))"], "reqps", graph=True),
        stat(ctx, "Error ratio", [error_ratio], "percentunit", decimals=2, graph=True,
             thresholds=steps(GREEN, (0.01, ORANGE), (0.05, RED))),
        stat(ctx, "p99 duration", [quantile(0.99)], "s", graph=True,
             thresholds=steps(GREEN, (0.5, ORANGE), (1, RED))),
        stat(ctx, "p50 duration", [quantile(0.5)], "s", graph=True),
    ]
    rate = [
        timeseries(ctx, "Requests / s by status", [(f"sum by ({c.status}) (rate({requests}[{RATE}]))",
                                                    f"{{{{{c.status}}}}}")], "reqps", stack=True),
        timeseries(ctx, "Requests / s by route (top 10)",
                   [(f"topk(10, sum by ({c.route}) (rate({requests}[{RATE}])))", f"{{{{{c.route}}}}}")], "reqps"),
    ]
    errors_row = [
        timeseries(ctx, "Error ratio", [(error_ratio, "errors")], "percentunit",
                   thresholds=steps(GREEN, (0.01, ORANGE), (0.05, RED))),
        timeseries(ctx, "Errors / s by route (top 10)",
                   [(f"topk(10, {error_rate(c.route)})", f"{{{{{c.route}}}}}")], "reqps"),
    ]
    duration = [
        timeseries(ctx, "Duration quantiles", [(quantile(0.5), "p50"), (quantile(0.9), "p90"),
                                               (quantile(0.99), "p99")], "s"),
        timeseries(ctx, "p99 duration by route (top 10)",
                   [(f"topk(10, {quantile(0.99, c.route)})", f"{{{{{c.route}}}}}")], "s"),
    ]
    sections = [(None, overview), ("Rate", rate), ("Errors", errors_row), ("Duration", duration)]
    if ctx.log_alerts:
        sections.append(("Logs", logs(ctx)))
    return build(ctx, sections,
                 description=f"Rate, errors and duration of {ctx.service.name} ({c.requests}, {c.duration}).")


def logs(ctx):
    """The service's log alerts on `${logs}`: matching documents per alert window, the alert's
    threshold as a line where it counts, and the matching lines of all of them."""
    panels, lucene = [], []
    for alert in ctx.log_alerts:
        query = alert.spec.query or "*"
        lucene.append(f"({query})")
        cond = condition_of(alert)
        cond = cond if isinstance(cond, Condition) else None  # an invalid `when` is the log checks' to report
        counted = cond is not None and cond.kind == "count" and cond.op in (">", ">=")
        when = cond.describe() if cond is not None else str(alert.spec.when)
        panels.append(log_count(ctx, f"Logs: {alert.name}", query, alert.timestamp_field,
                                interval=(cond.window if cond is not None else None) or "auto",
                                description=f"{alert.spec.summary} — alerts on `{when}` ({alert.spec.severity}), "
                                            f"in index {alert.index}.",
                                thresholds=steps(GREEN, (cond.threshold, RED)) if counted else None))
    first = ctx.log_alerts[0]
    panels.append(log_lines(ctx, "Log lines the alerts match", " OR ".join(lucene), first.timestamp_field,
                            description="The newest 500 lines matching any of the service's log alerts."))
    return panels
