"""RabbitMQ: queues, consumers, message rates, connections and resource alarms.

Reads the rabbitmq_prometheus plugin shipped with RabbitMQ (per-queue series need
`prometheus.return_per_object_metrics = true` or the /metrics/per-object endpoint).
The selector comes from the service's `rabbitmq` pack, else its namespace.
"""

from obs.dashboards.panels import GREEN, ORANGE, RED, dashboard as build, stat, steps, table, timeseries

RATE = "$__rate_interval"
SERIES = {
    "rabbitmq_identity_info", "rabbitmq_queue_messages_ready", "rabbitmq_queue_messages_unacked",
    "rabbitmq_queue_consumers", "rabbitmq_queues", "rabbitmq_connections", "rabbitmq_channels",
    "rabbitmq_global_messages_received_total", "rabbitmq_global_messages_delivered_total",
    "rabbitmq_global_messages_acknowledged_total", "rabbitmq_global_messages_redelivered_total",
    "rabbitmq_process_resident_memory_bytes", "rabbitmq_resident_memory_limit_bytes",
    "rabbitmq_disk_space_available_bytes", "rabbitmq_disk_space_available_limit_bytes",
    "rabbitmq_alarms_memory_used_watermark", "rabbitmq_alarms_free_disk_space_watermark",
}


def series(ctx):
    return SERIES


def dashboard(ctx):
    s = ctx.sel

    def rate(name):
        return f"sum(rate({s(name)}[{RATE}]))"

    backlog = ctx.limit("queueBacklog", 1000)  # per queue, where RabbitMQQueueBacklog fires
    overview = [
        stat(ctx, "Nodes", [f"count({s('rabbitmq_identity_info')})"]),
        stat(ctx, "Messages ready", [f"sum({s('rabbitmq_queue_messages_ready')})"], graph=True,
             thresholds=steps(GREEN, (backlog, RED))),
        stat(ctx, "Messages unacked", [f"sum({s('rabbitmq_queue_messages_unacked')})"], graph=True),
        stat(ctx, "Resource alarms", [f"sum({s('rabbitmq_alarms_memory_used_watermark')}) + "
                                      f"sum({s('rabbitmq_alarms_free_disk_space_watermark')})"],
             thresholds=steps(GREEN, (1, RED))),
    ]
    queues = [
        timeseries(ctx, "Messages ready by queue (top 10)",
                   [(f"topk(10, sum by (vhost, queue) ({s('rabbitmq_queue_messages_ready')}))", "{{vhost}}/{{queue}}")],
                   thresholds=steps(GREEN, (backlog, RED))),
        timeseries(ctx, "Message rates", [(rate("rabbitmq_global_messages_received_total"), "published"),
                                          (rate("rabbitmq_global_messages_delivered_total"), "delivered"),
                                          (rate("rabbitmq_global_messages_acknowledged_total"), "acknowledged"),
                                          (rate("rabbitmq_global_messages_redelivered_total"), "redelivered")],
                   "ops"),
        table(ctx, "Queues without consumers", [f"sum by (vhost, queue) ({s('rabbitmq_queue_consumers')}) == 0"],
              w=12, h=8, hide=("Time", "Value")),
        timeseries(ctx, "Connections and channels", [(f"sum({s('rabbitmq_connections')})", "connections"),
                                                     (f"sum({s('rabbitmq_channels')})", "channels"),
                                                     (f"sum({s('rabbitmq_queues')})", "queues")]),
    ]
    resources = [
        timeseries(ctx, "Memory used of the high watermark",
                   [(f"{s('rabbitmq_process_resident_memory_bytes')} / {s('rabbitmq_resident_memory_limit_bytes')}",
                     "{{instance}}")], "percentunit", thresholds=steps(GREEN, (0.8, ORANGE), (0.95, RED))),
        timeseries(ctx, "Free disk above the limit",
                   [(f"{s('rabbitmq_disk_space_available_bytes')} - {s('rabbitmq_disk_space_available_limit_bytes')}",
                     "{{instance}}")], "bytes"),
    ]
    return build(ctx, [(None, overview), ("Queues and messages", queues), ("Resources", resources)],
                 description=f"RabbitMQ of {ctx.service.name} (rabbitmq_prometheus, {ctx.selector}).")
