"""Who delivers: the notification-manager target beside a mode in which Alertmanager itself
delivers sends every alert twice (Alertmanager's receivers and notification-manager's); a Feishu
channel's app recipients reach people only through notification-manager."""

from __future__ import annotations

from typing import TYPE_CHECKING

from obs.alertmanager.mode import NOTIFICATION_MANAGER, mode
from obs.logs.channels import recipients
from obs.checks import check
from obs.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from obs.pipeline import Build


@check("AM007", "notification-manager/two-deliverers", "The notification-manager target is compiled while "
                                                       "defaults.alertmanager.mode lets Alertmanager deliver too.")
def two_deliverers(build: Build) -> list[Diagnostic]:
    catalog = build.catalog
    targets = catalog.project.spec.targets
    if "notification-manager" not in targets or "alertmanager" not in targets or mode(catalog) == NOTIFICATION_MANAGER:
        return []
    d = catalog.defaults.alertmanager
    return [Diagnostic("AM007", f"defaults.alertmanager.mode is {d.mode!r}, so Alertmanager delivers to the channels "
                       "and notification-manager's Receivers deliver them again", d.pos_of("mode"), Severity.WARNING,
                       hint="set mode: notification-manager, or drop one of the targets alertmanager and "
                            "notification-manager")]


LOG_TARGETS = ("elastalert", "watcher", "opensearch-monitor")


@check("AM009", "channel/feishu-app-recipients", "A Feishu channel's `userIds`/`departmentIds` are sent only by "
                                                 "notification-manager; Alertmanager (through PrometheusAlert) "
                                                 "and the log targets would post to its robot `url` alone.")
def feishu_app_recipients(build: Build) -> list[Diagnostic]:
    catalog = build.catalog
    targets = catalog.project.spec.targets
    out = []
    for ch in catalog.channels.values():
        s = ch.spec
        if s.type != "feishu" or not (s.userIds or s.departmentIds):
            continue
        others = ["Alertmanager"] if "alertmanager" in targets and mode(catalog) != NOTIFICATION_MANAGER else []
        if not catalog.defaults.logs.alertmanager:
            others += sorted({t for e in catalog.log_alerts if ch in recipients(catalog, e)
                              for t in e.targets if t in LOG_TARGETS})
        if others:
            field = "userIds" if s.userIds else "departmentIds"
            out.append(Diagnostic("AM009", f"feishu channel {ch.name!r} lists `{field}`, which only notification-"
                                  f"manager sends; {', '.join(others)} would post to its robot `url` alone",
                                  s.pos_of(field) or ch.origin.pos, Severity.WARNING,
                                  hint="use defaults.alertmanager.mode: notification-manager (and "
                                       "defaults.logs.alertmanager for log alerts), or drop the ids"))
    return out
