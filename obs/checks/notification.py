"""Who delivers: the notification-manager target beside a mode in which Alertmanager itself
delivers sends every alert twice (Alertmanager's receivers and notification-manager's)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from obs.alertmanager.mode import NOTIFICATION_MANAGER, mode
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
