"""RED: request rate, errors and duration of an HTTP service.

Reads a request counter and a duration histogram named by the runtime's convention
(Micrometer `http_server_requests_seconds_*` for java; prometheus_client-style
`http_requests_total` / `http_request_duration_seconds_bucket` for python and go;
express-prom-bundle's `http_request_duration_seconds_*` for nodejs), overridable in
obs.yaml `defaults.grafana.red.<runtime>`.
"""

from obs.dashboards.panels import GREEN, ORANGE, RED, dashboard as build, stat, steps, timeseries

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
    return build(ctx, [(None, overview), ("Rate", rate), ("Errors", errors_row), ("Duration", duration)],
                 description=f"Rate, errors and duration of {ctx.service.name} ({c.requests}, {c.duration}).")
