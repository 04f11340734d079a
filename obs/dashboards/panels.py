"""Current Grafana panels on grafanalib, with the plumbing templates should not repeat.

Only TimeSeries, Stat, GaugePanel, BarGauge, Table, Text, Logs and RowPanel (no Angular `graph` or
`singlestat`, off by default since Grafana 11). grafanalib writes threshold steps and some
options in pre-8 shapes; these helpers pass the current shapes (extraJson where needed),
every query carries the `${datasource}` (or `${logs}`) variable as its `{type, uid}`
datasource, and `layout` places panels on the grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import attr
from grafanalib.core import (
    BarGauge,
    Dashboard,
    DashboardLink,
    GaugePanel,
    GridPos,
    Logs,
    RowPanel,
    Stat,
    Table,
    Target,
    Text,
    Time,
    Templating,
    TimeSeries,
)

if TYPE_CHECKING:
    from obs.dashboards.context import Context

GREEN, YELLOW, ORANGE, RED = "green", "#EAB839", "orange", "red"
_REDUCE = {"calcs": ["lastNotNull"], "fields": "", "values": False}


def steps(base: str, *levels: tuple[float, str]) -> list[dict]:
    """Threshold steps as Grafana stores them: a base colour, then (value, colour) ascending."""
    return [{"color": base, "value": None}, *({"color": c, "value": v} for v, c in levels)]


def targets(ctx: Context, *queries: tuple[str, str] | str, instant: bool = False, table: bool = False) -> list:
    """Prometheus queries as (expr, legend) or expr, refIds A, B, C… in order."""
    out = []
    for i, q in enumerate(queries):
        expr, legend = (q, "") if isinstance(q, str) else q
        out.append(Target(expr=expr, legendFormat=legend, refId=chr(ord("A") + i), datasource=ctx.datasource,
                          instant=instant or table, format="table" if table else "time_series"))
    return out


def timeseries(ctx: Context, title: str, queries: Sequence, unit: str = "short", *, w: int = 12, h: int = 8,
               description: str | None = None, thresholds: list[dict] | None = None, stack: bool = False,
               min: int | None = None, max: int | None = None, fill: int = 10) -> TimeSeries:
    return TimeSeries(title=title, dataSource=ctx.datasource, targets=targets(ctx, *queries), unit=unit,
                      description=description, gridPos=GridPos(h, w, 0, 0), fillOpacity=fill,
                      thresholds=thresholds or steps(GREEN), thresholdsStyleMode="line" if thresholds else "off",
                      stacking={"mode": "normal", "group": "A"} if stack else {}, valueMin=min, valueMax=max,
                      tooltipMode="multi", tooltipSort="desc", legendDisplayMode="list")


def stat(ctx: Context, title: str, queries: Sequence, unit: str = "short", *, w: int = 6, h: int = 4,
         description: str | None = None, thresholds: list[dict] | None = None, decimals: int | None = None,
         no_value: str = "no data", graph: bool = False, color: str = "value") -> Stat:
    return Stat(title=title, dataSource=ctx.datasource, targets=targets(ctx, *queries), format=unit,
                description=description, gridPos=GridPos(h, w, 0, 0), thresholds=thresholds or steps(GREEN),
                decimals=decimals, noValue=no_value, graphMode="area" if graph else "none", colorMode=color,
                reduceCalc="lastNotNull")


def gauge(ctx: Context, title: str, queries: Sequence, unit: str = "percentunit", *, w: int = 6, h: int = 6,
          description: str | None = None, thresholds: list[dict] | None = None, min: float = 0,
          max: float = 1) -> GaugePanel:
    return GaugePanel(title=title, dataSource=ctx.datasource, targets=targets(ctx, *queries), format=unit,
                      description=description, gridPos=GridPos(h, w, 0, 0), min=min, max=max,
                      thresholds=thresholds or steps(GREEN),
                      extraJson={"options": {"reduceOptions": _REDUCE, "showThresholdMarkers": True,
                                             "showThresholdLabels": False}})


def bargauge(ctx: Context, title: str, queries: Sequence, unit: str = "percentunit", *, w: int = 12, h: int = 8,
             description: str | None = None, thresholds: list[dict] | None = None, min: float = 0,
             max: float = 1) -> BarGauge:
    limits = thresholds or steps(GREEN)
    return BarGauge(title=title, dataSource=ctx.datasource, targets=targets(ctx, *queries), format=unit,
                    description=description, gridPos=GridPos(h, w, 0, 0), min=min, max=max, thresholds=limits,
                    displayMode="gradient",
                    extraJson={"fieldConfig": {"defaults": {"unit": unit, "min": min, "max": max}},
                               "options": {"reduceOptions": _REDUCE}})


def table(ctx: Context, title: str, queries: Sequence, *, w: int = 24, h: int = 6, description: str | None = None,
          hide: Sequence[str] = ("Time",)) -> Table:
    organize = {"id": "organize", "options": {"excludeByName": {name: True for name in hide}}}
    return Table(title=title, dataSource=ctx.datasource, targets=targets(ctx, *queries, table=True),
                 description=description, gridPos=GridPos(h, w, 0, 0), transformations=[organize])


def log_query(ctx: Context, query: str, time_field: str, *, interval: str = "auto", lines: bool = False) -> dict:
    """A Lucene query as Grafana's Elasticsearch datasource stores it, on `${logs}`: the count of
    matching documents per date_histogram bucket, or the matching log lines."""
    if lines:
        metrics, buckets = [{"id": "1", "type": "logs", "settings": {"limit": "500"}}], []
    else:
        metrics = [{"id": "1", "type": "count"}]
        buckets = [{"id": "2", "type": "date_histogram", "field": time_field,
                    "settings": {"interval": interval, "min_doc_count": "0", "trimEdges": "0"}}]
    return {"refId": "A", "datasource": ctx.logs_datasource, "query": query, "alias": "", "metrics": metrics,
            "bucketAggs": buckets, "timeField": time_field}


def log_count(ctx: Context, title: str, query: str, time_field: str, *, interval: str = "auto", w: int = 12,
              h: int = 8, description: str | None = None, thresholds: list[dict] | None = None) -> TimeSeries:
    return TimeSeries(title=title, dataSource=ctx.logs_datasource,
                      targets=[log_query(ctx, query, time_field, interval=interval)], unit="short",
                      description=description, gridPos=GridPos(h, w, 0, 0), drawStyle="bars", fillOpacity=60,
                      thresholds=thresholds or steps(GREEN), thresholdsStyleMode="line" if thresholds else "off",
                      tooltipMode="multi", legendDisplayMode="list")


def log_lines(ctx: Context, title: str, query: str, time_field: str, *, w: int = 24, h: int = 10,
              description: str | None = None) -> Logs:
    return Logs(title=title, dataSource=ctx.logs_datasource, targets=[log_query(ctx, query, time_field, lines=True)],
                description=description, gridPos=GridPos(h, w, 0, 0), showTime=True, wrapLogMessages=True,
                enableLogDetails=True, sortOrder="Descending")


def text(content: str, *, title: str = "", w: int = 24, h: int = 3) -> Text:
    return Text(title=title, content=content, gridPos=GridPos(h, w, 0, 0))


def layout(sections: Sequence[tuple[str | None, Sequence]]) -> list:
    """Rows of panels placed left to right, wrapping at Grafana's 24 columns."""
    out: list = []
    y = 0
    for title, panels in sections:
        if title is not None:
            out.append(RowPanel(title=title, gridPos=GridPos(1, 24, 0, y)))
            y += 1
        x, row_height = 0, 0
        for panel in panels:
            pos = panel.gridPos
            if x + pos.w > 24:
                x, y, row_height = 0, y + row_height, 0
            out.append(attr.evolve(panel, gridPos=GridPos(pos.h, pos.w, x, y)))
            x += pos.w
            row_height = max(row_height, pos.h)
        y += row_height
    return out


def dashboard(ctx: Context, sections: Sequence[tuple[str | None, Sequence]], description: str = "",
              title: str | None = None) -> Dashboard:
    """A dashboard with obs's uid, tags, links, variables and defaults; panel ids in layout order."""
    return Dashboard(title=title or ctx.title, uid=ctx.uid, description=description, tags=list(ctx.tags),
                     links=[DashboardLink(**link) for link in ctx.links], panels=layout(sections),
                     templating=Templating(list=list(ctx.variables)),
                     timezone="browser", time=Time("now-6h", "now"), refresh="1m", graphTooltip=1,
                     editable=False).auto_panel_ids()
