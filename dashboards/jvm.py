"""JVM: heap and non-heap memory, GC pauses, threads, CPU and the HikariCP pool (Micrometer).

Expects Spring Boot Actuator / Micrometer's Prometheus registry names; the selector comes
from the service's `jvm` pack (`with.selector`), else `application="<service>"`.
"""

from obs.dashboards.panels import GREEN, ORANGE, RED, dashboard as build, gauge, stat, steps, timeseries

RATE = "$__rate_interval"
SERIES = {
    "jvm_memory_used_bytes", "jvm_memory_max_bytes", "jvm_memory_committed_bytes",
    "jvm_gc_pause_seconds_sum", "jvm_gc_pause_seconds_count", "jvm_gc_pause_seconds_max",
    "jvm_threads_live_threads", "jvm_threads_daemon_threads", "jvm_threads_peak_threads",
    "jvm_threads_states_threads", "process_cpu_usage", "system_cpu_usage", "jvm_classes_loaded_classes",
    "process_uptime_seconds", "hikaricp_connections_active", "hikaricp_connections_idle",
    "hikaricp_connections_pending", "hikaricp_connections_max", "hikaricp_connections_timeout_total",
    "hikaricp_connections_acquire_seconds_sum", "hikaricp_connections_acquire_seconds_count",
}


def series(ctx):
    return SERIES


def workload(ctx):
    """The series the namespace and pod variables list values of: one per process."""
    return "jvm_threads_live_threads"


def dashboard(ctx):
    s = ctx.sel
    heap, nonheap = 'area="heap"', 'area="nonheap"'
    heap_ratio = f"sum({s('jvm_memory_used_bytes', heap)}) / sum({s('jvm_memory_max_bytes', heap)} > 0)"
    heap_limit = ctx.limit("heapUsedPercent", 90) / 100  # the jvm pack's thresholds: red where its alerts fire
    usage = steps(GREEN, (0.75, ORANGE), (0.9, RED))
    overview = [
        gauge(ctx, "Heap used", [heap_ratio], thresholds=steps(GREEN, (heap_limit, RED))),
        gauge(ctx, "CPU (process)", [f"max({s('process_cpu_usage')})"], thresholds=usage),
        stat(ctx, "Live threads", [f"max({s('jvm_threads_live_threads')})"], h=6, graph=True,
             thresholds=steps(GREEN, (ctx.limit("liveThreads", 800), RED))),
        stat(ctx, "Uptime", [f"min({s('process_uptime_seconds')})"], "s", h=6),
    ]
    memory = [
        timeseries(ctx, "Heap", [(f"sum by (id) ({s('jvm_memory_used_bytes', heap)})", "{{id}}"),
                                 (f"sum({s('jvm_memory_max_bytes', heap)} > 0)", "max")], "bytes", stack=False),
        timeseries(ctx, "Non-heap", [(f"sum by (id) ({s('jvm_memory_used_bytes', nonheap)})", "{{id}}"),
                                     (f"sum({s('jvm_memory_committed_bytes', nonheap)})", "committed")],
                   "bytes"),
    ]
    pause = f"rate({s('jvm_gc_pause_seconds_sum')}[{RATE}])"
    gc = [
        timeseries(ctx, "Time spent in GC pauses (share of wall time)",
                   [(f"sum by (action, cause) ({pause})", "{{action}} ({{cause}})")], "percentunit",
                   thresholds=steps(GREEN, (ctx.limit("gcTimePercent", 10) / 100, RED))),
        timeseries(ctx, "Longest GC pause", [(f"max by (action) ({s('jvm_gc_pause_seconds_max')})", "{{action}}")],
                   "s"),
    ]
    threads = [
        timeseries(ctx, "Threads by state", [(f"sum by (state) ({s('jvm_threads_states_threads')})", "{{state}}")],
                   stack=True),
        timeseries(ctx, "CPU", [(f"max({s('process_cpu_usage')})", "process"),
                                (f"max({s('system_cpu_usage')})", "system")], "percentunit", min=0, max=1),
    ]
    acquire = (f"sum(rate({s('hikaricp_connections_acquire_seconds_sum')}[{RATE}])) / "
               f"sum(rate({s('hikaricp_connections_acquire_seconds_count')}[{RATE}]))")
    hikari = [
        timeseries(ctx, "Connections", [(f"sum by (pool) ({s('hikaricp_connections_active')})", "active {{pool}}"),
                                        (f"sum by (pool) ({s('hikaricp_connections_idle')})", "idle {{pool}}"),
                                        (f"sum by (pool) ({s('hikaricp_connections_max')})", "max {{pool}}")], w=8),
        timeseries(ctx, "Threads waiting for a connection",
                   [(f"sum by (pool) ({s('hikaricp_connections_pending')})", "{{pool}}")], w=8,
                   thresholds=steps(GREEN, (1, ORANGE), (ctx.limit("hikariPending", 5), RED))),
        timeseries(ctx, "Acquire time and timeouts",
                   [(acquire, "mean acquire"),
                    (f"sum(rate({s('hikaricp_connections_timeout_total')}[{RATE}]))", "timeouts / s")], "s", w=8),
    ]
    return build(ctx, [(None, overview), ("Memory", memory), ("Garbage collection", gc), ("Threads and CPU", threads),
                       ("HikariCP connection pool", hikari)],
                 description=f"JVM runtime of {ctx.service.name} (Micrometer metrics, {ctx.selector}).")
