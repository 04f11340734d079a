"""Native RuleGroups carried through unchanged but for the project's (and team's) labels."""

from __future__ import annotations

from obs.catalog import Catalog, Origin
from obs.rulegen import Group, Rule


def groups(catalog: Catalog, service: str | None) -> list[Group]:
    out = []
    for g in catalog.for_service(service).rule_groups:
        rules = tuple(Rule(expr=r.expr.strip(), record=r.record, alert=r.alert, for_=r.for_,
                           keep_firing_for=r.keep_firing_for, labels={**g.labels, **r.labels},
                           annotations=dict(r.annotations), origin=Origin(r.pos, g.origin.format))
                      for r in g.rules)
        out.append(Group(g.name, rules, g.interval, g.origin, g.limit, g.query_offset))
    return out
