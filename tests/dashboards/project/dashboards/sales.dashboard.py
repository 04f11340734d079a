"""The team's own dashboard, using a helper module from its folder."""
from grafanalib.core import Dashboard
from helpers import rate_panel

dashboard = Dashboard(
    title="Sales",
    uid="demo-sales",
    tags=["demo"],
    panels=[rate_panel("Orders / s", "orders_created_total"), rate_panel("Refunds / s", "refunds_total", x=12)],
).auto_panel_ids()
