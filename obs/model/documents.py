"""obs/v1 documents: apiVersion, kind, metadata, spec — one class per kind of SPEC §1."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field

from obs.model.alerts import AlertRule, RuleGroupSpec
from obs.model.base import Annotations, Duration, GroupName, Labels, Name, Spec
from obs.model.channel import ChannelSpec
from obs.model.service import ServiceSpec
from obs.model.slo import BurnWindow

API_VERSION = "obs/v1"


class Metadata(Spec):
    name: Name
    team: str | None = None
    service: Name | None = None
    labels: Labels = Field(default_factory=dict)
    annotations: Annotations = Field(default_factory=dict)
    description: str | None = None


class RuleGroupMetadata(Metadata):
    name: GroupName


class ServiceMetadata(Metadata):
    team: str


class StandaloneMetadata(Spec):
    """A standalone item: its name (checked as the item's name) and the service it belongs to."""

    name: str
    #: required for SLO and AlertRule; a LogAlert may stand without a service (e.g. a legacy rule)
    service: Name | None = None
    team: str | None = None
    labels: Labels = Field(default_factory=dict)


class _Doc(Spec):
    apiVersion: Literal["obs/v1"]


class ServiceDoc(_Doc):
    kind: Literal["Service"]
    metadata: ServiceMetadata
    spec: ServiceSpec = Field(default_factory=ServiceSpec)


class ChannelDoc(_Doc):
    kind: Literal["Channel"]
    metadata: Metadata
    spec: ChannelSpec


class RuleGroupDoc(_Doc):
    kind: Literal["RuleGroup"]
    metadata: RuleGroupMetadata
    spec: RuleGroupSpec


class BurnRatePolicySpec(Spec):
    """The burn-rate windows for SLOs of one window length, exactly (not scaled from 30d): what
    Sloth's AlertWindows file says for its sloPeriod. `budget` is percent of that window's budget."""

    window: Duration
    windows: list[BurnWindow]


class BurnRatePolicyDoc(_Doc):
    kind: Literal["BurnRatePolicy"]
    metadata: Metadata
    spec: BurnRatePolicySpec


class StandaloneDoc(_Doc):
    """kind SLO, AlertRule or LogAlert on its own: spec holds the item without its name."""

    kind: Literal["SLO", "AlertRule", "LogAlert"]
    metadata: StandaloneMetadata
    spec: dict


Document = Annotated[Union[ServiceDoc, ChannelDoc, RuleGroupDoc, BurnRatePolicyDoc, StandaloneDoc],
                     Field(discriminator="kind")]
KINDS = ("Project", "Service", "SLO", "AlertRule", "LogAlert", "RuleGroup", "Channel", "BurnRatePolicy")

__all__ = ["AlertRule", "Document", "ServiceDoc", "ChannelDoc", "RuleGroupDoc", "BurnRatePolicyDoc", "StandaloneDoc",
           "KINDS"]
