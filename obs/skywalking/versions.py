"""Which agent release reads which setting, so that a setting the chosen `agentVersion` would
ignore is a warning instead of silence (apache-skywalking 1.1.0 has no sampling: `sampleRate`
did nothing). Facts from the agents' own lists of settings, per release tag: the Python agent's
skywalking/config.py, the Java agent's docs/en/setup/service-agent/java-agent/configurations.md.
"""

from __future__ import annotations

import re

from obs import codes
from obs.diagnostics import Diagnostics, Position

RELEASE_SETTING = codes.define("SW020", "skywalking/agent-release-setting",
                               "A setting the chosen agent release does not read (added later, removed, or unknown "
                               "to every release): it would do nothing.")
AGENT_VERSION = codes.define("SW021", "skywalking/agent-version",
                             "The Python agent's agentVersion is not a release number, or predates the SW_AGENT_* "
                             "names obs writes (apache-skywalking 1.0).")

#: a current release (PyPI apache-skywalking; needs Python 3.10-3.14 in the application's image)
PYTHON_AGENT_DEFAULT = "1.3.0"
PYTHON_NEWEST_KNOWN = (1, 3, 0)
#: 1.0.0 renamed every setting to the names obs writes (SW_AGENT_IGNORE_SUFFIX, was SW_IGNORE_SUFFIX)
PYTHON_NAMING = (1, 0, 0)
#: variables apache-skywalking reads from 1.0.0 on
PYTHON_SINCE_1_0 = frozenset("""
SW_AGENT_AUTHENTICATION SW_AGENT_CAUSE_EXCEPTION_DEPTH SW_AGENT_COLLECTOR_BACKEND_SERVICES
SW_AGENT_COLLECTOR_GET_PROFILE_TASK_INTERVAL SW_AGENT_COLLECTOR_HEARTBEAT_PERIOD
SW_AGENT_COLLECTOR_PROPERTIES_REPORT_PERIOD_FACTOR SW_AGENT_DISABLE_PLUGINS SW_AGENT_EXPERIMENTAL_FORK_SUPPORT
SW_AGENT_FORCE_TLS SW_AGENT_IGNORE_SUFFIX SW_AGENT_INSTANCE_NAME SW_AGENT_INSTANCE_PROPERTIES_JSON
SW_AGENT_LOGGING_LEVEL SW_AGENT_LOG_REPORTER_ACTIVE SW_AGENT_LOG_REPORTER_FORMATTED
SW_AGENT_LOG_REPORTER_IGNORE_FILTER SW_AGENT_LOG_REPORTER_LAYOUT SW_AGENT_LOG_REPORTER_LEVEL
SW_AGENT_LOG_REPORTER_MAX_BUFFER_SIZE SW_AGENT_LOG_REPORTER_SAFE_MODE SW_AGENT_METER_REPORTER_ACTIVE
SW_AGENT_METER_REPORTER_MAX_BUFFER_SIZE SW_AGENT_METER_REPORTER_PERIOD SW_AGENT_NAME SW_AGENT_NAMESPACE
SW_AGENT_PROFILE_ACTIVE SW_AGENT_PROFILE_DUMP_MAX_STACK_DEPTH SW_AGENT_PROFILE_DURATION SW_AGENT_PROFILE_MAX_PARALLEL
SW_AGENT_PROFILE_SNAPSHOT_TRANSPORT_BUFFER_SIZE SW_AGENT_PROTOCOL SW_AGENT_PVM_METER_REPORTER_ACTIVE
SW_AGENT_QUEUE_TIMEOUT SW_AGENT_SW_PYTHON_BOOTSTRAP_PROPAGATE SW_AGENT_SW_PYTHON_CLI_DEBUG_ENABLED
SW_AGENT_TRACE_IGNORE_PATH SW_AGENT_TRACE_REPORTER_MAX_BUFFER_SIZE SW_CORRELATION_ELEMENT_MAX_NUMBER
SW_CORRELATION_VALUE_MAX_LENGTH SW_KAFKA_BOOTSTRAP_SERVERS SW_KAFKA_NAMESPACE SW_KAFKA_REPORTER_CUSTOM_CONFIGURATIONS
SW_KAFKA_TOPIC_LOG SW_KAFKA_TOPIC_MANAGEMENT SW_KAFKA_TOPIC_METER SW_KAFKA_TOPIC_SEGMENT
SW_PLUGIN_BOTTLE_COLLECT_HTTP_PARAMS SW_PLUGIN_CELERY_PARAMETERS_LENGTH SW_PLUGIN_DJANGO_COLLECT_HTTP_PARAMS
SW_PLUGIN_ELASTICSEARCH_TRACE_DSL SW_PLUGIN_FASTAPI_COLLECT_HTTP_PARAMS SW_PLUGIN_FLASK_COLLECT_HTTP_PARAMS
SW_PLUGIN_HTTP_HTTP_PARAMS_LENGTH_THRESHOLD SW_PLUGIN_HTTP_IGNORE_METHOD SW_PLUGIN_PYMONGO_PARAMETERS_MAX_LENGTH
SW_PLUGIN_PYMONGO_TRACE_PARAMETERS SW_PLUGIN_SANIC_COLLECT_HTTP_PARAMS SW_PLUGIN_SQL_PARAMETERS_MAX_LENGTH
""".split())
#: variables added after 1.0.0, with the release that added them
PYTHON_ADDED = {"SW_AGENT_ASYNCIO_ENHANCEMENT": (1, 1, 0), "SW_PLUGIN_GRPC_IGNORED_METHODS": (1, 2, 0),
                "SW_SAMPLE_N_PER_3_SECS": (1, 2, 0)}
#: read by prefix: SW_KAFKA_REPORTER_CONFIG_<producer setting>
PYTHON_PREFIXES = ("SW_KAFKA_REPORTER_CONFIG_",)

#: Java agent settings (agent.config keys) added after 8.8.0, the first apache/skywalking-java-agent image
JAVA_ADDED = {
    **dict.fromkeys(("plugin.jedis.redis_parameter_max_length", "plugin.jedis.trace_redis_parameters",
                     "plugin.redisson.redis_parameter_max_length", "plugin.redisson.trace_redis_parameters"),
                    (8, 9, 0)),
    "agent.cluster": (8, 10, 0),
    "plugin.cpupolicy.sample_cpu_usage_percent_limit": (8, 11, 0),
    **dict.fromkeys(("plugin.micronauthttpclient.collect_http_params",
                     "plugin.micronauthttpserver.collect_http_params"), (8, 12, 0)),
    **dict.fromkeys(("plugin.ehcache.operation_mapping_read", "plugin.ehcache.operation_mapping_write",
                     "plugin.guavacache.operation_mapping_read", "plugin.guavacache.operation_mapping_write",
                     "plugin.jedis.operation_mapping_read", "plugin.jedis.operation_mapping_write",
                     "plugin.memcached.operation_mapping_read", "plugin.memcached.operation_mapping_write"),
                    (8, 13, 0)),
    **dict.fromkeys(("agent.enable", "jvm.metrics_collect_period", "plugin.redisson.operation_mapping_read",
                     "plugin.redisson.operation_mapping_write",
                     "plugin.toolkit.use_qualified_name_as_operation_name"), (8, 14, 0)),
    **dict.fromkeys(("plugin.lettuce.operation_mapping_read", "plugin.lettuce.operation_mapping_write",
                     "profile.max_accept_sub_parallel"), (8, 15, 0)),
    "plugin.kafka.decode_class": (8, 16, 0),
    **dict.fromkeys(("plugin.nettyhttp.collect_request_body", "plugin.nettyhttp.filter_length_limit",
                     "plugin.nettyhttp.supported_content_types_prefix"), (9, 1, 0)),
    **dict.fromkeys(("plugin.rocketmqclient.collect_message_keys", "plugin.rocketmqclient.collect_message_tags"),
                    (9, 2, 0)),
    **dict.fromkeys(("plugin.solon.http_body_length_threshold", "plugin.solon.http_params_length_threshold",
                     "plugin.solon.include_http_headers"), (9, 3, 0)),
    **dict.fromkeys(("plugin.caffeine.operation_mapping_read", "plugin.caffeine.operation_mapping_write"),
                    (9, 4, 0)),
}
#: Java agent settings dropped, with the first release without them
JAVA_REMOVED = {"plugin.toolit.use_qualified_name_as_operation_name": (8, 14, 0),
                "agent.class_cache_mode": (9, 0, 0), "agent.is_cache_enhanced_class": (9, 0, 0)}

_RELEASE = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?$")


def release(text: str) -> tuple[int, int, int] | None:
    """1.2 → (1, 2, 0); None for anything that is not a plain release number (a tag, a pre-release)."""
    m = _RELEASE.match(text.strip())
    return (int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)) if m else None


def show(version: tuple[int, int, int]) -> str:
    return ".".join(map(str, version))


def python_variable(key: str) -> str:
    """The variable apache-skywalking reads for a key: agent.ignore_suffix → SW_AGENT_IGNORE_SUFFIX."""
    return "SW_" + key.upper().replace(".", "_")


def python_lacks(variable: str, version: tuple[int, int, int]) -> str | None:
    """Why apache-skywalking `version` (1.0 or later) does not read `variable`, or None if it does."""
    if variable.startswith(PYTHON_PREFIXES) or variable in PYTHON_SINCE_1_0:
        return None
    added = PYTHON_ADDED.get(variable)
    if added is not None:
        return None if version >= added else f"it reads {variable} from {show(added)} on"
    if version > PYTHON_NEWEST_KNOWN:
        return None  # a release newer than obs knows may have added it
    return f"no release up to {show(PYTHON_NEWEST_KNOWN)} reads {variable}"


def java_lacks(key: str, version: tuple[int, int, int]) -> str | None:
    """Why Java agent `version` does not read setting `key`, or None if it does (or obs cannot tell)."""
    added, removed = JAVA_ADDED.get(key), JAVA_REMOVED.get(key)
    if added is not None and version < added:
        return f"{key} exists from {show(added)} on"
    if removed is not None and version >= removed:
        return f"{key} was removed in {show(removed)}"
    return None


def check_python_version(text: str, pos: Position | None, diags: Diagnostics,
                         config: bool = False) -> tuple[int, int, int] | None:
    """The release number of a Python agentVersion, after reporting one obs cannot use (`config`:
    it comes from obs.yaml, a configuration error)."""
    version = release(text)
    if version is None:
        diags.error(AGENT_VERSION, f"agentVersion {text!r} is not a release number of apache-skywalking", pos,
                    hint=f"write the release, e.g. {PYTHON_AGENT_DEFAULT}: `pip install apache-skywalking==<it>` "
                         "installs it, and obs checks the settings against it", config=config)
        return None
    if version < PYTHON_NAMING:
        diags.warning(AGENT_VERSION, f"apache-skywalking {text} reads other variable names than the SW_AGENT_* "
                      "ones obs writes (renamed in 1.0.0): only the service name and backend reach it", pos,
                      hint=f"use {PYTHON_AGENT_DEFAULT} (obs's default) or at least 1.0.0")
        return None
    return version


def check_python(sw, text: str, source: str, pos: Position | None, diags: Diagnostics, config: bool = False) -> None:
    """Settings of a Python service that apache-skywalking `text` would not read; `source` says
    where the version comes from (the service, obs.yaml, or obs's default)."""
    version = check_python_version(text, pos, diags, config)
    if version is None:
        return
    wanted: list[tuple[str, str, Position | None]] = []  # (what, variable, where it is written)
    if sw.sampleRate is not None:
        wanted.append(("sampleRate", "SW_SAMPLE_N_PER_3_SECS", sw.pos_of("sampleRate")))
    for where in ("plugins", "options"):
        wanted += [(f"{where}: {key}", python_variable(key), sw.pos_of(where)) for key in getattr(sw, where)]
    wanted += [(f"env: {name}", name, sw.pos_of("env")) for name in sw.env if name in PYTHON_ADDED]
    for what, variable, at in wanted:
        reason = python_lacks(variable, version)
        if reason is None:
            continue
        added = PYTHON_ADDED.get(variable)
        hint = (f"set {source} to {show(added)} or later (obs's default is {PYTHON_AGENT_DEFAULT})" if added else
                "the Python agent reads the SW_* variables listed in its configuration docs; check the key")
        diags.warning(RELEASE_SETTING, f"{what} does nothing with apache-skywalking {text}: {reason}", at, hint=hint)


def check_java(sw, diags: Diagnostics) -> None:
    """options and plugins settings the Java agent release in agentVersion does not read."""
    version = release(sw.agentVersion or "")
    if version is None:
        return  # a custom image tag: obs cannot tell the release
    for where in ("plugins", "options"):
        for key in getattr(sw, where):
            reason = java_lacks(key, version)
            if reason is None:
                continue
            added = JAVA_ADDED.get(key)
            hint = f"set agentVersion to {show(added)} or later" if added and version < added else \
                "remove it: this release has no such setting"
            diags.warning(RELEASE_SETTING, f"{where}: {key} does nothing with the Java agent {sw.agentVersion}: "
                          f"{reason}", sw.pos_of(where), hint=hint)
