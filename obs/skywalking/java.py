"""The Java agent: SWCK annotations, or the init container that SWCK's webhook would add, by hand.

Both write what the agent reads. Trace-ignore paths need the optional apm-trace-ignore-plugin
and its setting `skywalking.trace.ignore_path` as a system property: the plugin reads its own
config file and system properties only (not agent options, not SW_* variables).
"""

from __future__ import annotations

from obs.skywalking.k8s import Container, env_list, merge_tokens, pod_patch
from obs.skywalking.settings import JAVA_AGENT_IMAGE, Plan

AGENT_DIR = "/sky/agent"
JAVAAGENT = f"-javaagent:{AGENT_DIR}/skywalking-agent.jar"
VOLUME = "sky-agent"
INIT_NAME = "inject-skywalking-agent"
SWCK_LABEL = "swck-java-agent-injected"
STRATEGY, AGENT, PLUGINS, SIDECAR = ("strategy.skywalking.apache.org/", "agent.skywalking.apache.org/",
                                     "plugins.skywalking.apache.org/", "sidecar.skywalking.apache.org/")
OPTIONAL = "optional.skywalking.apache.org"
IGNORE_PLUGIN = "trace-ignore"  # matches optional-plugins/apm-trace-ignore-plugin-<version>.jar


def image(plan: Plan) -> str:
    return plan.sw.image or JAVA_AGENT_IMAGE.format(version=plan.agent_version)


def system_properties(plan: Plan) -> list[str]:
    """-Dskywalking.<key>=<value>: the agent's own override, which beats SW_* variables and agent.config."""
    props = {}
    if plan.sw.ignorePaths:
        props["trace.ignore_path"] = ",".join(plan.sw.ignorePaths)
    props.update(plan.options)
    return [f"-Dskywalking.{k}={v}" for k, v in props.items()]


def is_ours(token: str) -> bool:
    return token == JAVAAGENT or token.startswith("-Dskywalking.")


def swck(plan: Plan, target: Container) -> dict:
    """Pod-template label and annotations for the SWCK java-agent injector (it adds the init container)."""
    ann: dict[str, str] = {}
    if target.explicit:
        ann[STRATEGY + "inject.Container"] = f"^{target.name}$"  # a Go regular expression
    ann[STRATEGY + "agent.Overlay"] = "true"  # SWCK before 0.7 applies agent annotations only with it
    ann[SIDECAR + "initcontainer.Image"] = image(plan)
    ann[AGENT + "agent.service_name"] = plan.service_name
    props = []
    if "," in plan.backend:  # SWCK validates the annotation as one address; a list goes as a property
        props.append(f"-Dskywalking.collector.backend_service={plan.backend}")
    else:
        ann[AGENT + "collector.backend_service"] = plan.backend
    if plan.sw.sampleRate is not None:
        ann[AGENT + "agent.sample_n_per_3_secs"] = str(plan.sw.sampleRate)
    for key, value in plan.options.items():
        prefix = PLUGINS if key.startswith("plugin.") else AGENT
        ann[prefix + key] = f"'{value}'" if "," in value or "=" in value else value
    if plan.sw.ignorePaths:
        ann[OPTIONAL] = IGNORE_PLUGIN
        props.append("-Dskywalking.trace.ignore_path=" + ",".join(plan.sw.ignorePaths))
    if props:  # the webhook appends "=<agent options>" to this value, so -javaagent must come last
        ann[SIDECAR + "env.Value"] = " ".join([*props, JAVAAGENT])
    containers = [{"name": target.name, "env": env_list(plan.sw.env)}] if plan.sw.env else []
    return pod_patch(plan, labels={SWCK_LABEL: "true"}, annotations=dict(sorted(ann.items())), containers=containers)


def init_container(plan: Plan, target: Container) -> dict:
    """An init container copies the agent into an emptyDir; JAVA_TOOL_OPTIONS loads it (SWCK's layout)."""
    script = f"mkdir -p {AGENT_DIR} && cp -r /skywalking/agent/* {AGENT_DIR}"
    if plan.sw.ignorePaths:
        script += f" && cp {AGENT_DIR}/optional-plugins/apm-trace-ignore-plugin-*.jar {AGENT_DIR}/plugins/"
    init = {"name": INIT_NAME, "image": image(plan), "command": ["sh"], "args": ["-c", script],
            "volumeMounts": [{"name": VOLUME, "mountPath": AGENT_DIR}]}
    tool_options = merge_tokens(target.env_value("JAVA_TOOL_OPTIONS"), [*system_properties(plan), JAVAAGENT], is_ours)
    env = {"JAVA_TOOL_OPTIONS": tool_options, "SW_AGENT_NAME": plan.service_name,
           "SW_AGENT_COLLECTOR_BACKEND_SERVICES": plan.backend}
    if plan.sw.sampleRate is not None:
        env["SW_AGENT_SAMPLE"] = str(plan.sw.sampleRate)  # agent.sample_n_per_3_secs=${SW_AGENT_SAMPLE:-1}
    env.update(sorted(plan.sw.env.items()))
    app = {"name": target.name, "env": env_list(env), "volumeMounts": [{"name": VOLUME, "mountPath": AGENT_DIR}]}
    return pod_patch(plan, init_containers=[init], containers=[app], volumes=[{"name": VOLUME, "emptyDir": {}}])
