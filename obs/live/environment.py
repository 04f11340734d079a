"""An environment of obs.yaml made concrete: URLs and credentials with `{env: NAME}` read
from the process environment. Values are held, never rendered: `describe()` shows where a
secret comes from, not what it is."""

from __future__ import annotations

from dataclasses import dataclass, field

from obs import codes
from obs.diagnostics import Diagnostic, Position
from obs.model.secrets import EnvRef, SecretRef
from obs.project import Environment, Project, Server

SERVERS = ("prometheus", "alertmanager", "elasticsearch", "opensearch", "grafana", "skywalking", "mimir")


@dataclass(frozen=True)
class Endpoint:
    name: str
    url: str
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    verify_tls: bool = True
    ca_file: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    #: where obs.yaml defines this server: findings about the server itself point here
    pos: Position | None = field(default=None, compare=False)
    #: a client certificate and key (files), as requests' `cert=`: Kubernetes' x509 users
    cert: tuple[str, str] | None = field(default=None, repr=False)

    def describe(self) -> str:
        return f"{self.name} at {self.url}"


@dataclass(frozen=True)
class ResolvedEnvironment:
    name: str
    servers: dict[str, Endpoint]
    kube_context: str | None = None
    #: where obs.yaml defines the environment
    pos: Position | None = field(default=None, compare=False)


def resolve_environment(project: Project, name: str) -> tuple[ResolvedEnvironment | None, list[Diagnostic]]:
    envs = project.spec.environments
    if name not in envs:
        known = ", ".join(sorted(envs)) or "none defined"
        return None, [Diagnostic(codes.CONFIG_ENV, f"no environment {name!r} in obs.yaml (environments: {known})",
                                 project.spec.pos_of("environments"), config=True)]
    env: Environment = envs[name]
    problems: list[Diagnostic] = []
    servers = {}
    for server in SERVERS:
        spec: Server | None = getattr(env, server)
        if spec is not None:
            endpoint = _endpoint(server, spec, problems)
            if endpoint is not None:
                servers[server] = endpoint
    context = None
    if env.kubernetes is not None and env.kubernetes.context is not None:
        context = _value(env.kubernetes.context, env.kubernetes.pos_of("context"), problems)
    where = env._source.pos if env._source is not None else project.spec.pos_of("environments")
    return ResolvedEnvironment(name, servers, context, where), problems


def _value(value, pos, problems: list[Diagnostic]) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, EnvRef):
        got = value.resolve()
        if got is None:
            problems.append(Diagnostic(codes.CONFIG_ENV, f"environment variable {value.env} is not set", pos,
                                       config=True))
        return got
    if isinstance(value, SecretRef):
        problems.append(Diagnostic(codes.CONFIG_ENV, f"{value.describe()} cannot be read from here; use "
                                   "{env: NAME} for values obs needs when it runs", pos, config=True))
    return None


def _endpoint(name: str, spec: Server, problems: list[Diagnostic]) -> Endpoint | None:
    url = _value(spec.url, spec.pos_of("url"), problems)
    if url is None:
        return None
    headers = {k: v for k, raw in spec.headers.items() if (v := _value(raw, spec.pos_of("headers"), problems))}
    token = _value(spec.token, spec.pos_of("token"), problems) if spec.token else None
    api_key = _value(spec.apiKey, spec.pos_of("apiKey"), problems) if spec.apiKey else None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    elif api_key:
        headers["Authorization"] = f"ApiKey {api_key}"
    if spec.tenant:
        tenant = _value(spec.tenant, spec.pos_of("tenant"), problems)
        if tenant:
            headers["X-Scope-OrgID"] = tenant
    org = getattr(spec, "orgId", None)  # Grafana's organisation
    if org is not None:
        org = org if isinstance(org, int) else _value(org, spec.pos_of("orgId"), problems)
        if org is not None:
            headers["X-Grafana-Org-Id"] = str(org)
    return Endpoint(name, url.rstrip("/"), headers, not spec.insecureSkipVerify,
                    _value(spec.caFile, spec.pos_of("caFile"), problems) if spec.caFile else None,
                    _value(spec.username, spec.pos_of("username"), problems) if spec.username else None,
                    _value(spec.password, spec.pos_of("password"), problems) if spec.password else None,
                    spec.pos_of("url"))
