"""Service (SPEC §1.2): the unit a team owns, with its SLOs, alerts, log alerts, packs and APM."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from obs.model.alerts import AlertRule
from obs.model.apm import APM
from obs.model.base import Spec
from obs.model.logs import LogAlert
from obs.model.slo import SLO

Runtime = Literal["java", "python", "nodejs", "go", "other"]


class Workload(Spec):
    kind: Literal["Deployment", "StatefulSet", "DaemonSet"] = "Deployment"
    name: str | None = None
    #: the workload's own manifest, for a fully patched copy (SPEC §1.7)
    file: str | None = None
    container: str | None = None


class PackUse(Spec):
    pack: str
    with_: dict[str, Any] = Field(default_factory=dict, alias="with")
    #: environments that run what the pack watches (e.g. [prod]); elsewhere missing series are info
    expectedIn: list[str] = Field(default_factory=list)


class ServiceSpec(Spec):
    namespace: str | None = None
    workload: Workload | None = None
    runtime: Runtime = "other"
    apm: APM | None = None
    dashboards: list[str] | None = None
    uses: list[PackUse] = Field(default_factory=list)
    slos: list[SLO] = Field(default_factory=list)
    alerts: list[AlertRule] = Field(default_factory=list)
    logAlerts: list[LogAlert] = Field(default_factory=list)
