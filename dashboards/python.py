"""Python: process CPU, memory, file descriptors and garbage collection (prometheus_client).

Reads the collectors prometheus_client registers by default (process_*, python_gc_*,
python_info); the selector is `service="<service>"` unless obs.yaml names another.
"""

from obs.dashboards.panels import GREEN, ORANGE, RED, dashboard as build, gauge, stat, steps, table, timeseries

RATE = "$__rate_interval"
SERIES = {
    "process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
    "process_open_fds", "process_max_fds", "process_start_time_seconds", "python_gc_collections_total",
    "python_gc_objects_collected_total", "python_gc_objects_uncollectable_total", "python_info",
}


def series(ctx):
    return SERIES


def workload(ctx):
    """The series the namespace and pod variables list values of: one per process."""
    return "process_start_time_seconds"


def dashboard(ctx):
    s = ctx.sel
    fds = f"max({s('process_open_fds')} / {s('process_max_fds')})"
    overview = [
        stat(ctx, "Processes", [f"count({s('process_start_time_seconds')})"], h=6),
        stat(ctx, "CPU (cores)", [f"sum(rate({s('process_cpu_seconds_total')}[{RATE}]))"], h=6, graph=True),
        stat(ctx, "Resident memory", [f"sum({s('process_resident_memory_bytes')})"], "bytes", h=6, graph=True),
        gauge(ctx, "File descriptors used", [fds], thresholds=steps(GREEN, (0.7, ORANGE), (0.9, RED))),
    ]
    process = [
        timeseries(ctx, "CPU by instance", [(f"sum by (instance) (rate({s('process_cpu_seconds_total')}[{RATE}]))",
                                             "{{instance}}")], "short", w=8),
        timeseries(ctx, "Resident memory by instance",
                   [(f"sum by (instance) ({s('process_resident_memory_bytes')})", "{{instance}}")], "bytes", w=8),
        timeseries(ctx, "Open file descriptors", [(f"sum by (instance) ({s('process_open_fds')})", "{{instance}}")],
                   w=8),
    ]
    gc = [
        timeseries(ctx, "GC collections / s by generation",
                   [(f"sum by (generation) (rate({s('python_gc_collections_total')}[{RATE}]))", "gen {{generation}}")]),
        timeseries(ctx, "Objects collected / s and uncollectable",
                   [(f"sum(rate({s('python_gc_objects_collected_total')}[{RATE}]))", "collected"),
                    (f"sum({s('python_gc_objects_uncollectable_total')})", "uncollectable")]),
    ]
    runtime = [
        table(ctx, "Python runtime", [f"count by (implementation, version) ({s('python_info')})"], h=5,
              hide=("Time", "Value")),
        timeseries(ctx, "Restarts (process start time changes)",
                   [(f"sum(changes({s('process_start_time_seconds')}[1h]))", "restarts in 1h")], w=24, h=5),
    ]
    return build(ctx, [(None, overview), ("Process", process), ("Garbage collection", gc), ("Runtime", runtime)],
                 description=f"Python process of {ctx.service.name} (prometheus_client, {ctx.selector}).")
