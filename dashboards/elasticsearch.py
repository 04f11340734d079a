"""Elasticsearch: cluster health, nodes, shards, JVM heap, disk, indexing and search rates.

Reads prometheus-community/elasticsearch_exporter's standard metrics; the selector comes
from the service's `elasticsearch` pack (`with.selector`), else its namespace.
"""

from obs.dashboards.panels import GREEN, ORANGE, RED, YELLOW, bargauge, dashboard as build, stat, steps, timeseries

RATE = "$__rate_interval"
SERIES = {
    "elasticsearch_cluster_health_status", "elasticsearch_cluster_health_number_of_nodes",
    "elasticsearch_cluster_health_number_of_data_nodes", "elasticsearch_cluster_health_active_shards",
    "elasticsearch_cluster_health_unassigned_shards", "elasticsearch_cluster_health_relocating_shards",
    "elasticsearch_cluster_health_initializing_shards", "elasticsearch_jvm_memory_used_bytes",
    "elasticsearch_jvm_memory_max_bytes", "elasticsearch_filesystem_data_available_bytes",
    "elasticsearch_filesystem_data_size_bytes", "elasticsearch_indices_indexing_index_total",
    "elasticsearch_indices_search_query_total", "elasticsearch_indices_search_query_time_seconds",
    "elasticsearch_thread_pool_rejected_count", "elasticsearch_jvm_gc_collection_seconds_sum",
}


def series(ctx):
    return SERIES


def dashboard(ctx):
    s = ctx.sel

    def rate(name, *extra):
        return f"rate({s(name, *extra)}[{RATE}])"

    yellow_, red_, green_, heap_ = 'color="yellow"', 'color="red"', 'color="green"', 'area="heap"'
    # 0 green, 1 yellow, 2 red: the worst colour the exporter reports as current
    health = (f"max(({s('elasticsearch_cluster_health_status', yellow_)} == 1) * 1 or "
              f"({s('elasticsearch_cluster_health_status', red_)} == 1) * 2 or "
              f"({s('elasticsearch_cluster_health_status', green_)} == 1) * 0)")
    overview = [
        stat(ctx, "Cluster health", [health], color="background", no_value="unknown",
             thresholds=steps(GREEN, (1, YELLOW), (2, RED))),
        stat(ctx, "Nodes", [f"max({s('elasticsearch_cluster_health_number_of_nodes')})"]),
        stat(ctx, "Unassigned shards", [f"max({s('elasticsearch_cluster_health_unassigned_shards')})"],
             thresholds=steps(GREEN, (1, ORANGE))),
        stat(ctx, "Rejected thread pool tasks / s", [f"sum({rate('elasticsearch_thread_pool_rejected_count')})"],
             "ops", thresholds=steps(GREEN, (0.01, RED))),
    ]
    shards = [
        timeseries(ctx, "Shards", [(f"max({s('elasticsearch_cluster_health_active_shards')})", "active"),
                                   (f"max({s('elasticsearch_cluster_health_relocating_shards')})", "relocating"),
                                   (f"max({s('elasticsearch_cluster_health_initializing_shards')})", "initializing"),
                                   (f"max({s('elasticsearch_cluster_health_unassigned_shards')})", "unassigned")]),
        timeseries(ctx, "Indexing and search / s",
                   [(f"sum({rate('elasticsearch_indices_indexing_index_total')})", "indexed docs"),
                    (f"sum({rate('elasticsearch_indices_search_query_total')})", "queries")], "ops"),
        timeseries(ctx, "Mean query time",
                   [(f"sum({rate('elasticsearch_indices_search_query_time_seconds')}) / "
                     f"sum({rate('elasticsearch_indices_search_query_total')})", "mean")], "s"),
        timeseries(ctx, "Rejected thread pool tasks / s by pool",
                   [(f"sum by (type) ({rate('elasticsearch_thread_pool_rejected_count')})", "{{type}}")], "ops"),
    ]
    heap = (f"sum by (name) ({s('elasticsearch_jvm_memory_used_bytes', heap_)}) / "
            f"sum by (name) ({s('elasticsearch_jvm_memory_max_bytes', heap_)})")
    disk = (f"1 - sum by (name) ({s('elasticsearch_filesystem_data_available_bytes')}) / "
            f"sum by (name) ({s('elasticsearch_filesystem_data_size_bytes')})")
    nodes = [
        bargauge(ctx, "Heap used by node", [(heap, "{{name}}")],
                 thresholds=steps(GREEN, (ctx.limit("heapUsedPercent", 90) / 100, RED))),
        bargauge(ctx, "Disk used by node", [(disk, "{{name}}")],
                 thresholds=steps(GREEN, (ctx.limit("diskUsedPercent", 85) / 100, ORANGE), (0.9, RED))),  # high watermark
        timeseries(ctx, "GC time by node", [(f"sum by (name) ({rate('elasticsearch_jvm_gc_collection_seconds_sum')})",
                                             "{{name}}")], "percentunit", w=24),
    ]
    return build(ctx, [(None, overview), ("Shards and load", shards), ("Nodes", nodes)],
                 description=f"Elasticsearch of {ctx.service.name} (elasticsearch_exporter, {ctx.selector}).")
