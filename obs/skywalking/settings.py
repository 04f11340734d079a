"""A Service's SkyWalking settings checked and turned into a Plan: which agent, how it gets in.

The project default `mode` is a Java choice (SWCK webhook or init container); Python and
Node.js services use their own agents, so the default does not apply to them and an explicit
`mode: swck` there is an error. Every problem is one diagnostic at the setting that causes it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from obs import codes
from obs.catalog import Catalog, ServiceEntry
from obs.diagnostics import Diagnostics
from obs.model.apm import SkyWalking
from obs.skywalking import versions
from obs.project import SkyWalkingDefaults

UNSUPPORTED = codes.define("SW001", "skywalking/unsupported",
                           "A SkyWalking setting the service's runtime or injection mode cannot honour.")
BACKEND = codes.define("SW002", "skywalking/backend",
                       "The OAP backend address is not a comma-separated list of host:port.")
WORKLOAD_FILE = codes.define("SW003", "skywalking/workload-file",
                             "spec.workload.file cannot be read or does not hold the named workload.")
CONTAINER = codes.define("SW004", "skywalking/container",
                         "The container to inject is not in the workload.")
COMMAND = codes.define("SW005", "skywalking/command",
                       "The Python agent needs the container's command to wrap it with `sw-python run`.")
OPTION = codes.define("SW006", "skywalking/agent-option",
                      "An agent option, plugin setting or environment variable that the agent cannot read.")
SERVICE_NAME = codes.define("SW007", "skywalking/service-name",
                            "The SkyWalking service name is empty or longer than the Java agent keeps (50).")

JAVA_AGENT_IMAGE = "apache/skywalking-java-agent:{version}-java8"
AGENTS = {"java", "python", "nodejs"}
_HOST = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9_-]{0,62})(\.[a-zA-Z0-9_][a-zA-Z0-9_-]{0,62})*$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_#]+)+$")
RESERVED = {
    "SW_AGENT_NAME": "set serviceName", "SW_AGENT_COLLECTOR_BACKEND_SERVICES": "set backend",
    "JAVA_TOOL_OPTIONS": "obs appends the agent to the value in spec.workload.file; use options for -D settings",
    "NODE_OPTIONS": "obs appends --require to the value in spec.workload.file",
    "PYTHONPATH": "obs prepends the agent's folder to the value in spec.workload.file",
}
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Plan:
    """Everything the patch builders need, checked."""

    project: str
    service: ServiceEntry
    sw: SkyWalking  # with project defaults applied
    agent: str  # swck | init-container | python | nodejs
    service_name: str
    backend: str
    #: the container named by the user (apm.container or workload.container), if any
    container: str | None
    install: str = "image"
    agent_version: str = ""
    options: dict[str, str] = field(default_factory=dict)  # agent.config key → value (plugins included)

    @property
    def workload_name(self) -> str:
        return self.service.workload.name or self.service.name


def plan(svc: ServiceEntry, catalog: Catalog, diags: Diagnostics) -> Plan | None:
    """The checked plan for one service with APM enabled, or None after reporting why not."""
    sw, raw = svc.apm, svc.spec.apm.skywalking  # type: ignore[union-attr]
    assert sw is not None and raw is not None
    before = len(diags.items)
    agent = _agent(svc, sw, raw, diags)
    # a backend from defaults.skywalking is obs.yaml's problem: reported there once, not at every service
    owner = raw if raw.backend is not None else catalog.defaults.skywalking
    backend = check_backend(sw.backend or "", owner, diags)
    name = service_name(svc)
    _check_name(name, sw, svc.runtime, diags)
    options = _options(sw, svc.runtime, diags)
    version = sw.agentVersion or ""
    if agent == "python":
        version = _python_version(raw, catalog, sw, diags)
    elif agent in ("swck", "init-container"):
        versions.check_java(sw, diags)
    if agent is None or _errors_since(diags, before):
        return None
    install = raw.install or ("init-container" if agent == "python" and raw.mode == "init-container" else "image")
    container = raw.container or svc.workload.container
    return Plan(catalog.name, svc, sw, agent, name, backend, container, install, version, options)


def service_name(svc: ServiceEntry) -> str:
    """The name the agent reports: serviceName, else `<namespace>::<name>` (SkyWalking's
    namespace-grouping convention), else the service's name."""
    sw = svc.apm
    assert sw is not None
    if sw.serviceName is not None:
        return sw.serviceName
    return f"{svc.namespace}::{svc.name}" if svc.namespace else svc.name


def _python_version(raw: SkyWalking, catalog: Catalog, sw: SkyWalking, diags: Diagnostics) -> str:
    """The service's agentVersion, else obs.yaml's pythonAgentVersion, else a current release;
    settings that release would not read are warned about (SW020)."""
    defaults = catalog.defaults.skywalking
    if raw.agentVersion:
        version, source, pos = raw.agentVersion, "agentVersion", raw.pos_of("agentVersion")
    elif defaults.pythonAgentVersion:
        version, source = defaults.pythonAgentVersion, "defaults.skywalking.pythonAgentVersion in obs.yaml"
        pos = defaults.pos_of("pythonAgentVersion")
    else:
        version, source, pos = versions.PYTHON_AGENT_DEFAULT, "agentVersion", None
    versions.check_python(sw, version, source, pos, diags, config=source.endswith("obs.yaml"))
    return version


def _errors_since(diags: Diagnostics, before: int) -> bool:
    return any(d.severity.value == "error" for d in diags.items[before:])


def _agent(svc: ServiceEntry, sw: SkyWalking, raw: SkyWalking, diags: Diagnostics) -> str | None:
    runtime = svc.runtime
    if runtime not in AGENTS:
        diags.error(UNSUPPORTED, f"service {svc.name!r} has runtime {runtime!r}: obs injects the SkyWalking agent "
                    "for java, python and nodejs only", raw.pos_of("enabled") or raw.pos,
                    hint="the SkyWalking Go agent is compiled into the binary; set enabled: false here")
        return None
    if runtime == "java":
        for key in ("install", "command", "prefork"):
            if getattr(raw, key) is not None:
                diags.error(UNSUPPORTED, f"{key!r} applies to the Python agent, not to runtime java", raw.pos_of(key))
        return sw.mode or "init-container"
    if raw.mode == "swck":
        diags.error(UNSUPPORTED, f"mode 'swck' injects the Java agent only; service {svc.name!r} has runtime "
                    f"{runtime!r}", raw.pos_of("mode"),
                    hint="remove mode: the Python and Node.js agents are configured through the container")
        return None
    if runtime == "nodejs":
        for key in ("install", "command", "prefork", "mode"):
            if getattr(raw, key) is not None:
                diags.error(UNSUPPORTED, f"{key!r} does not apply to the Node.js agent: it comes with the image "
                            "(npm dependency skywalking-backend-js)", raw.pos_of(key))
        if raw.sampleRate is not None:
            diags.error(UNSUPPORTED, "the Node.js agent has no sampling setting", raw.pos_of("sampleRate"))
    return runtime


def check_backend(value: str, sw: SkyWalking | SkyWalkingDefaults, diags: Diagnostics) -> str:
    """host:port[,host:port…] with an IPv4 address or DNS name and a port 1-65535 (as SWCK checks it).
    `sw` is where the value is written: a service's apm, or defaults.skywalking (a configuration error)."""
    problem = None
    items = [v.strip() for v in value.split(",")]
    for item in items:
        host, sep, port = item.rpartition(":")
        if not item or not sep:
            problem = f"{item!r} has no port" if item else "an empty address"
        elif not port.isdigit() or not 0 < int(port) < 65536:
            problem = f"{port!r} is not a port number"
        elif not _HOST.match(host) and not _ipv4(host):
            problem = f"{host!r} is not a host name or IPv4 address"
        if problem:
            diags.error(BACKEND, f"backend {value!r}: {problem}", sw.pos_of("backend"),
                        hint="write host:port, for example skywalking-oap.skywalking.svc:11800 (gRPC)",
                        config=isinstance(sw, SkyWalkingDefaults))
            return value
    return ",".join(items)


def _ipv4(host: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(host), ipaddress.IPv4Address)
    except ValueError:
        return False


def _check_name(name: str, sw: SkyWalking, runtime: str, diags: Diagnostics) -> None:
    if not name.strip():
        diags.error(SERVICE_NAME, "serviceName is empty", sw.pos_of("serviceName"))
    elif runtime == "java" and len(name) > 50:
        diags.warning(SERVICE_NAME, f"service name {name!r} is {len(name)} characters; the Java agent keeps 50 "
                      "(agent.service_name#length)", sw.pos_of("serviceName") or sw.pos)


def _options(sw: SkyWalking, runtime: str, diags: Diagnostics) -> dict[str, str]:
    """plugins and options as agent.config keys; values must survive the way they are passed."""
    out: dict[str, str] = {}
    for where, items in (("plugins", sw.plugins), ("options", sw.options)):
        for key, value in items.items():
            pos = sw.pos_of(where)
            if runtime == "nodejs":
                diags.error(UNSUPPORTED, f"{where}: the Node.js agent reads environment variables only; "
                            f"put {key!r} under env", pos)
            elif not _KEY.match(key) or (where == "plugins") != key.startswith("plugin."):
                want = ("plugin.<name>.<setting>" if where == "plugins"
                        else "a section.setting key such as agent.ignore_suffix")
                diags.error(OPTION, f"{where}: {key!r} is not {want}", pos)
            elif runtime == "java" and re.search(r"\s", value):
                diags.error(OPTION, f"{where}: the value of {key!r} contains white space, which "
                            "JAVA_TOOL_OPTIONS cannot carry", pos)
            else:
                out[key] = value
    for name in sw.env:
        if not _ENV.match(name):
            diags.error(OPTION, f"env: {name!r} is not an environment variable name", sw.pos_of("env"))
        elif name in RESERVED:
            diags.error(OPTION, f"env: obs sets {name} itself", sw.pos_of("env"), hint=RESERVED[name])
    return dict(sorted(out.items()))
