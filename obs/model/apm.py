"""APM settings of a Service (SPEC §1.7): how the SkyWalking agent gets into the workload."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from obs.model.base import Spec

InjectionMode = Literal["swck", "init-container"]


class SkyWalking(Spec):
    enabled: bool = True
    mode: InjectionMode | None = None
    agentVersion: str | None = None
    backend: str | None = None
    serviceName: str | None = None
    sampleRate: int | None = Field(None, ge=-1)
    ignorePaths: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)
    image: str | None = None
    container: str | None = None
    plugins: dict[str, str] = Field(default_factory=dict)
    #: python only: how the agent package gets into the image (see docs/skywalking.md)
    install: Literal["image", "init-container"] | None = None


class APM(Spec):
    skywalking: SkyWalking | None = None
