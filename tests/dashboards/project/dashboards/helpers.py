"""A helper module beside the dashboard files: importable from them, as with generate-dashboard."""
from grafanalib.core import GridPos, Target, TimeSeries

PROM = {"type": "prometheus", "uid": "prometheus"}


def rate_panel(title, metric, x=0):
    return TimeSeries(title=title, dataSource=PROM, gridPos=GridPos(h=8, w=12, x=x, y=0),
                      targets=[Target(expr=f"sum(rate({metric}[$__rate_interval]))", refId="A", datasource=PROM)])
