"""MySQL: availability, connections, queries, slow queries, InnoDB buffer pool and replication lag.

Reads prometheus/mysqld_exporter's standard collectors; the selector comes from the
service's `mysql` pack (`with.selector`), else its namespace.
"""

from obs.dashboards.panels import GREEN, ORANGE, RED, dashboard as build, gauge, stat, steps, timeseries

RATE = "$__rate_interval"
SERIES = {
    "mysql_up", "mysql_global_status_uptime", "mysql_global_status_threads_connected",
    "mysql_global_status_threads_running", "mysql_global_variables_max_connections", "mysql_global_status_questions",
    "mysql_global_status_slow_queries", "mysql_global_status_commands_total", "mysql_global_status_aborted_connects",
    "mysql_global_status_innodb_buffer_pool_reads", "mysql_global_status_innodb_buffer_pool_read_requests",
    "mysql_global_status_bytes_received", "mysql_global_status_bytes_sent",
    "mysql_slave_status_seconds_behind_master", "mysql_slave_status_slave_io_running",
    "mysql_slave_status_slave_sql_running",
}


def series(ctx):
    return SERIES


def dashboard(ctx):
    s = ctx.sel

    def rate(name, *extra):
        return f"rate({s(name, *extra)}[{RATE}])"

    connections = f"max({s('mysql_global_status_threads_connected')} / {s('mysql_global_variables_max_connections')})"
    misses = (f"sum({rate('mysql_global_status_innodb_buffer_pool_reads')}) / "
              f"sum({rate('mysql_global_status_innodb_buffer_pool_read_requests')})")
    overview = [
        stat(ctx, "Instances up", [f"sum({s('mysql_up')})"], thresholds=steps(RED, (1, GREEN))),
        stat(ctx, "Queries / s", [f"sum({rate('mysql_global_status_questions')})"], "qps", graph=True),
        gauge(ctx, "Connections used", [connections], h=4, thresholds=steps(GREEN, (ctx.limit("connectionsUsedPercent", 85) / 100, RED))),
        stat(ctx, "Replication lag", [f"max({s('mysql_slave_status_seconds_behind_master')})"], "s",
             no_value="no replica", thresholds=steps(GREEN, (ctx.limit("replicationLagSeconds", 60), RED))),
    ]
    work = [
        timeseries(ctx, "Commands / s (top 10)",
                   [(f"topk(10, sum by (command) ({rate('mysql_global_status_commands_total')}))", "{{command}}")],
                   "ops"),
        timeseries(ctx, "Slow queries and aborted connects / s",
                   [(f"sum({rate('mysql_global_status_slow_queries')})", "slow queries"),
                    (f"sum({rate('mysql_global_status_aborted_connects')})", "aborted connects")], "ops"),
        timeseries(ctx, "Threads", [(f"sum by (instance) ({s('mysql_global_status_threads_connected')})",
                                     "connected {{instance}}"),
                                    (f"sum by (instance) ({s('mysql_global_status_threads_running')})",
                                     "running {{instance}}")]),
        timeseries(ctx, "Network", [(f"sum({rate('mysql_global_status_bytes_received')})", "received"),
                                    (f"sum({rate('mysql_global_status_bytes_sent')})", "sent")], "Bps"),
    ]
    innodb = [
        timeseries(ctx, "Buffer pool reads from disk (share of read requests)", [(misses, "miss ratio")],
                   "percentunit", thresholds=steps(GREEN, (0.01, ORANGE), (0.05, RED))),
        timeseries(ctx, "Replication", [(f"max by (instance) ({s('mysql_slave_status_seconds_behind_master')})",
                                         "lag {{instance}}"),
                                        (f"min by (instance) ({s('mysql_slave_status_slave_io_running')}) * "
                                         f"min by (instance) ({s('mysql_slave_status_slave_sql_running')})",
                                         "threads running {{instance}}")], "s"),
    ]
    return build(ctx, [(None, overview), ("Workload", work), ("InnoDB and replication", innodb)],
                 description=f"MySQL of {ctx.service.name} (mysqld_exporter, {ctx.selector}).")
