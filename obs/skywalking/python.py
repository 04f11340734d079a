"""The Python agent (PyPI apache-skywalking, started by `sw-python run`) and the Node.js agent
(npm skywalking-backend-js, loaded with `--require`), both configured by environment variables.

Python settings map to SW_<KEY> (agent.ignore_suffix → SW_AGENT_IGNORE_SUFFIX), the agent's own
naming. `install: image` expects the package in the image; `install: init-container` pip-installs
it at pod start into an emptyDir with the app's own interpreter, so compiled wheels fit.
"""

from __future__ import annotations

import posixpath

from obs.diagnostics import Diagnostics
from obs.skywalking.k8s import Container, env_list, pod_patch
from obs.skywalking.settings import COMMAND, UNSUPPORTED, Plan
from obs.skywalking.versions import python_variable

PY_DIR = "/sky/python"
PY_VOLUME = "sky-python"
PY_INIT = "install-skywalking-python"
PREFORK_SERVERS = {"gunicorn", "uwsgi"}
NODE_REQUIRE = "--require skywalking-backend-js/lib/egg"


def python_env(plan: Plan) -> dict[str, str]:
    env = {"SW_AGENT_NAME": plan.service_name, "SW_AGENT_COLLECTOR_BACKEND_SERVICES": plan.backend}
    if plan.sw.sampleRate is not None:
        env["SW_SAMPLE_N_PER_3_SECS"] = str(plan.sw.sampleRate)
    if plan.sw.ignorePaths:
        env["SW_AGENT_TRACE_IGNORE_PATH"] = ",".join(plan.sw.ignorePaths)
    for key, value in plan.options.items():
        env[python_variable(key)] = value
    env.update(sorted(plan.sw.env.items()))
    return env


def wrap(command: list[str], plan: Plan, runner: str) -> list[str]:
    """`sw-python run [-p] <command>`; a command already wrapped stays as it is."""
    if command and posixpath.basename(command[0]) == "sw-python":
        return [runner, *command[1:]]
    prefork = plan.sw.prefork
    if prefork is None:
        prefork = bool(command) and posixpath.basename(command[0]) in PREFORK_SERVERS
    return [runner, "run", *(["-p"] if prefork else []), *command]


def python(plan: Plan, target: Container, diags: Diagnostics, notes: list[str]) -> dict | None:
    raw = plan.service.spec.apm.skywalking  # type: ignore[union-attr]
    command = raw.command or (target.spec or {}).get("command")
    if command is not None and not (isinstance(command, list) and all(isinstance(c, str) for c in command)):
        diags.error(COMMAND, f"the command of container {target.name!r} in {plan.service.workload.file} is not a "
                    "list of strings, as Kubernetes requires", plan.service.workload.pos_of("file"),
                    hint='write command: [gunicorn, "app:app"], one item per argument')
        return None
    env = python_env(plan)
    app: dict = {"name": target.name}
    init, volumes = [], []
    runner = "sw-python"
    if plan.install == "init-container":
        installer = raw.image or (target.spec or {}).get("image")
        if not installer:
            diags.error(UNSUPPORTED, "install: init-container runs pip in the application's image: name it with "
                        "image: or give spec.workload.file", raw.pos_of("install") or raw.pos)
            return None
        if not command:
            diags.error(COMMAND, "install: init-container needs the container's command to start it with "
                        f"{PY_DIR}/bin/sw-python", raw.pos_of("install") or raw.pos,
                        hint="set command: (as in the container spec) or give spec.workload.file")
            return None
        runner = f"{PY_DIR}/bin/sw-python"
        init = [{"name": PY_INIT, "image": installer,
                 "command": ["python", "-m", "pip", "install", "--no-cache-dir", "--target", PY_DIR,
                             f"apache-skywalking=={plan.agent_version}"],
                 "volumeMounts": [{"name": PY_VOLUME, "mountPath": PY_DIR}]}]
        volumes = [{"name": PY_VOLUME, "emptyDir": {}}]
        existing = [p for p in (target.env_value("PYTHONPATH") or "").split(":") if p and p != PY_DIR]
        env = {"PYTHONPATH": ":".join([PY_DIR, *existing]), **env}
        app["volumeMounts"] = [{"name": PY_VOLUME, "mountPath": PY_DIR}]
    if command:
        app["command"] = wrap(list(command), plan, runner)
    else:
        notes.append("the container's command is not known to obs (no command: and no spec.workload.file): "
                     "the image must start the application with `sw-python run`, as the apache/skywalking-python "
                     "images do")
    app["env"] = env_list(env)
    order = ("name", "command", "env", "volumeMounts")
    return pod_patch(plan, init_containers=init, containers=[{k: app[k] for k in order if k in app}], volumes=volumes)


def nodejs(plan: Plan, target: Container) -> dict:
    """NODE_OPTIONS loads the agent before the application; the package must be in the image."""
    existing = target.env_value("NODE_OPTIONS") or ""
    options = existing if NODE_REQUIRE in existing else " ".join(filter(None, [existing, NODE_REQUIRE]))
    env = {"NODE_OPTIONS": options, "SW_AGENT_NAME": plan.service_name,
           "SW_AGENT_COLLECTOR_BACKEND_SERVICES": plan.backend}
    if plan.sw.ignorePaths:
        env["SW_TRACE_IGNORE_PATH"] = ",".join(plan.sw.ignorePaths)
    env.update(sorted(plan.sw.env.items()))
    return pod_patch(plan, containers=[{"name": target.name, "env": env_list(env)}])
