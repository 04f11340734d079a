"""APM settings of a Service (SPEC §1.7): how the SkyWalking agent gets into the workload."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BeforeValidator, Field

from obs.model.base import Annotations, Spec, _stringify
from obs.model.secrets import SecretRef

InjectionMode = Literal["swck", "init-container"]
#: an environment variable of the container: text, or a key of a Kubernetes Secret (never written)
EnvValue = Union[Annotated[str, BeforeValidator(_stringify)], SecretRef]


class SkyWalking(Spec):
    enabled: bool = True
    mode: InjectionMode | None = None
    agentVersion: str | None = None
    backend: str | None = None
    serviceName: str | None = None
    sampleRate: int | None = Field(None, ge=-1)
    ignorePaths: list[str] = Field(default_factory=list)
    env: dict[str, EnvValue] = Field(default_factory=dict)
    image: str | None = None
    container: str | None = None
    #: plugin settings of agent.config (`plugin.jdbc.trace_sql_parameters: true`)
    plugins: Annotations = Field(default_factory=dict)
    #: other agent settings (`agent.ignore_suffix: .jpg,.png`, `logging.level: DEBUG`)
    options: Annotations = Field(default_factory=dict)
    #: python only: how the agent package gets into the image (see docs/skywalking.md)
    install: Literal["image", "init-container"] | None = None
    #: python only: the container's command, wrapped with `sw-python run` (default: from spec.workload.file)
    command: list[str] | None = None
    #: python only: `sw-python run -p` for pre-forking servers (default: on for gunicorn and uwsgi)
    prefork: bool | None = None


class APM(Spec):
    skywalking: SkyWalking | None = None
