"""Which alerts a channel's Receivers take: notification-manager filters each Receiver by an
`alertSelector` (a Kubernetes label selector over the alert's labels), where Alertmanager would
route. One selector for the channel's `match`, one per service and kind for the alerts that name
the channel in `notify:` and that its `match` does not already deliver (obs knows their static
labels), so nobody is told twice."""

from __future__ import annotations

from obs.alertmanager.routes import sources
from obs.catalog import Catalog, ChannelEntry


def _delivered_by_match(ch: ChannelEntry, labels: dict[str, str]) -> bool:
    return bool(ch.spec.match) and all(labels.get(k) == v for k, v in ch.spec.match.items())


def selectors(catalog: Catalog, ch: ChannelEntry) -> list[tuple[str, dict]]:
    """(name suffix, alertSelector) pairs; empty when no alert reaches the channel."""
    out: list[tuple[str, dict]] = []
    if ch.spec.match:
        out.append(("", {"matchLabels": {k: str(v) for k, v in sorted(ch.spec.match.items())}}))
    # log alerts reach Alertmanager (and so notification-manager) only when forwarded
    routed = ("alertname", "slo", "log") if catalog.defaults.logs.alertmanager else ("alertname", "slo")
    wanted: dict[tuple[str, str], set[str]] = {}
    for src in sources(catalog).sources:
        if ch.name in src.notify and src.kind in routed and not _delivered_by_match(ch, src.labels):
            kind = "alertname" if src.kind == "log" else src.kind
            wanted.setdefault((src.service or "", kind), set()).add(src.name)
    for (service, kind), names in sorted(wanted.items()):
        sel: dict = {"matchExpressions": [{"key": kind, "operator": "In", "values": sorted(names)}]}
        if service:
            sel["matchLabels"] = {"service": service}
        out.append((f"{kind}-{service}" if service else kind, sel))
    return out
