"""Redis: availability, memory, clients, commands, hit ratio and keys (oliver006/redis_exporter).

The selector comes from the service's `redis` pack (`with.selector`), else its namespace.
"""

from obs.dashboards.panels import GREEN, ORANGE, RED, bargauge, dashboard as build, stat, steps, timeseries

RATE = "$__rate_interval"
SERIES = {
    "redis_up", "redis_uptime_in_seconds", "redis_connected_clients", "redis_blocked_clients",
    "redis_rejected_connections_total", "redis_memory_used_bytes", "redis_memory_max_bytes",
    "redis_commands_processed_total", "redis_keyspace_hits_total", "redis_keyspace_misses_total",
    "redis_evicted_keys_total", "redis_expired_keys_total", "redis_db_keys", "redis_connected_slaves",
}


def series(ctx):
    return SERIES


def dashboard(ctx):
    s = ctx.sel
    hits, misses = f"rate({s('redis_keyspace_hits_total')}[{RATE}])", f"rate({s('redis_keyspace_misses_total')}[{RATE}])"
    memory = f"{s('redis_memory_used_bytes')} / ({s('redis_memory_max_bytes')} > 0)"
    overview = [
        stat(ctx, "Instances up", [f"sum({s('redis_up')})"], thresholds=steps(RED, (1, GREEN))),
        stat(ctx, "Instances down", [f"count({s('redis_up')} == 0)"], no_value="0",
             thresholds=steps(GREEN, (1, RED))),
        stat(ctx, "Connected clients", [f"sum({s('redis_connected_clients')})"], graph=True),
        stat(ctx, "Hit ratio", [f"sum({hits}) / (sum({hits}) + sum({misses}))"], "percentunit", decimals=1,
             thresholds=steps(RED, (0.8, ORANGE), (0.95, GREEN))),
    ]
    load = [
        timeseries(ctx, "Commands / s", [(f"sum by (instance) (rate({s('redis_commands_processed_total')}[{RATE}]))",
                                          "{{instance}}")], "ops"),
        timeseries(ctx, "Hits and misses / s", [(f"sum({hits})", "hits"), (f"sum({misses})", "misses")], "ops"),
        timeseries(ctx, "Clients", [(f"sum by (instance) ({s('redis_connected_clients')})", "{{instance}}"),
                                    (f"sum by (instance) ({s('redis_blocked_clients')})", "blocked {{instance}}"),
                                    (f"sum(rate({s('redis_rejected_connections_total')}[{RATE}]))", "rejected / s")]),
        timeseries(ctx, "Replicas connected", [(f"sum by (instance) ({s('redis_connected_slaves')})",
                                                "{{instance}}")]),
    ]
    memory_row = [
        bargauge(ctx, "Memory used of maxmemory", [(memory, "{{instance}}")],
                 thresholds=steps(GREEN, (ctx.limit("memoryUsedPercent", 90) / 100, RED))),
        timeseries(ctx, "Memory used", [(f"sum by (instance) ({s('redis_memory_used_bytes')})", "{{instance}}")],
                   "bytes"),
        timeseries(ctx, "Keys by db", [(f"sum by (db) ({s('redis_db_keys')})", "{{db}}")]),
        timeseries(ctx, "Evicted and expired keys / s",
                   [(f"sum(rate({s('redis_evicted_keys_total')}[{RATE}]))", "evicted"),
                    (f"sum(rate({s('redis_expired_keys_total')}[{RATE}]))", "expired")], "ops"),
    ]
    return build(ctx, [(None, overview), ("Load", load), ("Memory and keys", memory_row)],
                 description=f"Redis of {ctx.service.name} (redis_exporter, {ctx.selector}).")
