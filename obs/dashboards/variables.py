"""Template variables of the generated dashboards, as Grafana saves them: the datasource
pickers, `cluster`, `namespace`/`pod` of a workload and an SLO's group labels.

Every panel reads its datasource from `${datasource}` and every selector filters by the
variables, so one dashboard serves every cluster, pod and route. The `All` value is `.*`,
which also matches series without the label, so a Prometheus whose series carry no
`cluster` label still fills every panel.
"""

from __future__ import annotations

from dataclasses import dataclass

#: the Prometheus datasource variable every panel and query names
DATASOURCE = "datasource"
#: the Elasticsearch datasource variable of dashboards that show logs
LOGS_DATASOURCE = "logs"
CLUSTER = "cluster"
NAMESPACE = "namespace"
POD = "pod"
ALL = ".*"
#: Grafana's `refresh`: 2 = on time range change (pods come and go), 1 = on dashboard load
ON_TIME_RANGE, ON_LOAD = 2, 1


def ref(name: str) -> str:
    """How a datasource field names a variable: `${name}`, as Grafana's own export writes it."""
    return f"${{{name}}}"


def matcher(label: str, variable: str) -> str:
    """`label=~"$variable"`: regex, so multi-value and All (`.*`) selections work."""
    return f'{label}=~"${variable}"'


def datasource(name: str, plugin: str, uid: str, label: str) -> dict:
    """A datasource picker over one plugin type; its current value is the uid compile writes."""
    return {"current": {"selected": True, "text": uid, "value": uid}, "hide": 0, "includeAll": False,
            "label": label, "multi": False, "name": name, "options": [], "query": plugin, "refresh": ON_LOAD,
            "regex": "", "skipUrlSync": False, "type": "datasource"}


def query(name: str, expr: str, *, label: str | None = None, include_all: bool = True, multi: bool = True,
          refresh: int = ON_TIME_RANGE) -> dict:
    """A Prometheus query variable (label_values(...)) read from `${datasource}`.

    With `All` it starts on All (`.*`); without, Grafana starts on the first value it finds."""
    current = ({"selected": True, "text": ["All"] if multi else "All", "value": ["$__all"] if multi else "$__all"}
               if include_all else {})
    out = {"current": current, "datasource": {"type": "prometheus", "uid": ref(DATASOURCE)}, "definition": expr,
           "hide": 0, "includeAll": include_all, "label": label or name, "multi": multi, "name": name,
           "options": [], "query": expr, "refresh": refresh, "regex": "", "skipUrlSync": False, "sort": 1,
           "type": "query"}
    if include_all:
        out["allValue"] = ALL
    return out


@dataclass(frozen=True)
class Filter:
    """One variable and the matcher it puts into every selector it applies to."""

    variable: dict
    label: str

    @property
    def matcher(self) -> str:
        return matcher(self.label, self.variable["name"])


def label_values(selector: str, label: str) -> str:
    return f"label_values({selector}, {label})"
