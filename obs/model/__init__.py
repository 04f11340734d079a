"""The kinds of SPEC §1 as typed, validated classes — one place for every field."""

from obs.model.alerts import AlertRule, NativeRule, RuleGroupSpec
from obs.model.apm import APM, SkyWalking
from obs.model.base import Spec
from obs.model.channel import ChannelSpec
from obs.model.documents import ChannelDoc, RuleGroupDoc, ServiceDoc, StandaloneDoc
from obs.model.logs import LogAlert
from obs.model.secrets import EnvRef, SecretRef
from obs.model.service import PackUse, ServiceSpec, Workload
from obs.model.slo import SLI, SLO, BurnWindow, LatencySLI, RatioSLI, RawSLI

__all__ = [
    "AlertRule", "NativeRule", "RuleGroupSpec", "APM", "SkyWalking", "Spec", "ChannelSpec",
    "ChannelDoc", "RuleGroupDoc", "ServiceDoc", "StandaloneDoc", "LogAlert", "EnvRef", "SecretRef",
    "PackUse", "ServiceSpec", "Workload", "SLI", "SLO", "BurnWindow", "LatencySLI", "RatioSLI", "RawSLI",
]
