"""What an on-call person needs on every alert: a severity obs's routing understands."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from obs.checks import check
from obs.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from obs.pipeline import Build

SEVERITIES = ("critical", "warning", "info")


@check("AL001", "alert/severity", "A native alerting rule has no `severity` label, or one routing does not know.")
def native_severity(build: Build) -> list[Diagnostic]:
    out = []
    for g in build.catalog.rule_groups:
        for r in g.rules:
            if r.alert and r.labels.get("severity") not in SEVERITIES:
                got = r.labels.get("severity")
                out.append(Diagnostic("AL001", f"alert {r.alert} has " + (f"severity {got!r}" if got else
                                      "no severity label") + f"; use one of {', '.join(SEVERITIES)}",
                                      r.pos_of("labels") or r.pos, Severity.WARNING))
    return out


@check("AL002", "alert/summary", "A native alerting rule has no `summary` annotation.")
def native_summary(build: Build) -> list[Diagnostic]:
    return [Diagnostic("AL002", f"alert {r.alert} has no summary annotation; notifications will say little",
                       r.pos_of("annotations") or r.pos, Severity.WARNING)
            for g in build.catalog.rule_groups for r in g.rules if r.alert and not r.annotations.get("summary")]


@check("SC015", "schema/alert-name-characters", "A native alert's name has characters beyond letters, digits and '_' "
                                               "(Prometheus accepts any name; matchers must quote it).")
def native_alert_name(build: Build) -> list[Diagnostic]:
    """Prometheus and promtool take any alert name, so a rule file that runs today is not refused;
    but `alertname=Foo(criteo)` must be quoted in Alertmanager matchers and amtool, so say so."""
    return [Diagnostic("SC015", f"alert name {r.alert!r} has characters beyond letters, digits and '_': Prometheus "
                       "accepts it, but Alertmanager matchers and amtool need it quoted", r.pos_of("alert") or r.pos,
                       Severity.WARNING, hint=f'match it as alertname="{r.alert}"')
            for g in build.catalog.rule_groups for r in g.rules
            if r.alert and not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", r.alert)]
