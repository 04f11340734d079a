"""The published Sloth SLI plugins (slok/sloth-common-sli-plugins), referenced by id, as built-in
SLI presets: each plugin's meaning written again here, not its Go code run.

A plugin whose SLI is a ratio of two counters (errors or good events over all events) becomes
an obs `ratio` SLI of those selectors, so obs's exact window math, zero-traffic handling and
behaviour tests apply; the plugins' own `> 0` / `or vector(0|1)` guards against 0/0 are what
obs's ratio already does. The others (fake, noop, Prometheus targets, kooper availability,
which subtracts requeued events) stay `raw` with the query the plugin means. Options are
checked as the plugins check them; a bad one is one IM line naming the option.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from obs.load.yamlpos import PosDict

PREFIX = "sloth-common/"
#: the filter rule of the plugins that validate theirs: `k="v"` pairs, comma separated
_FILTER = re.compile(r'^\{?([^=]+="[^=,"]+",)*([^=]+="[^=,"]+")$')


class OptionError(ValueError):
    """An option the plugin refuses (the message names it)."""


Result = dict[str, str]  # {"errors"|"good": selector, "total": selector} or {"raw": query over $window}


def _filter(options: dict[str, str], checked: bool = False, required: bool = False) -> str:
    """The `filter` option without braces or edge commas (the plugins' strings.Trim(f, "{},"))."""
    raw = options.get("filter", "")
    if not raw:
        if required:
            raise OptionError("option 'filter' is required")
        return ""
    text = raw.strip("{},")
    if checked and not _FILTER.match(text):
        raise OptionError(f"option 'filter' is not a Prometheus label filter: {raw!r}")
    return text


def _required(options: dict[str, str], key: str) -> str:
    value = options.get(key, "").strip()
    if not value:
        raise OptionError(f"option {key!r} is required")
    return value


def _bucket(options: dict[str, str]) -> str:
    value = options.get("bucket", "")
    if not value:
        raise OptionError("option 'bucket' is required")
    try:
        float(value)
    except ValueError:
        raise OptionError(f"option 'bucket' must be a number, the histogram's le bound (got {value!r})") from None
    return value


def _regex(options: dict[str, str], key: str, default: str | None = None) -> str:
    value = options.get(key, "").strip() or default
    if not value:
        raise OptionError(f"option {key!r} is required")
    try:
        re.compile(value)
    except re.error as e:
        raise OptionError(f"option {key!r} is not a valid regular expression: {e}") from None
    return value


def _flag(options: dict[str, str], key: str) -> bool:
    value = options.get(key, "")
    if value == "":
        return False
    truth = {"1": True, "t": True, "true": True, "0": False, "f": False, "false": False}  # Go's ParseBool
    if value.lower() not in truth:
        raise OptionError(f"option {key!r} must be true or false (got {value!r})")
    return truth[value.lower()]


def sel(metric: str, *matchers: str) -> str:
    """A selector from label matchers, empty ones left out."""
    inner = ",".join(m for m in matchers if m)
    return f"{metric}{{{inner}}}" if inner else metric


def _without_5xx(options: dict[str, str], label: str = "code") -> str:
    return f'{label}!~"5.."' if _flag(options, "exclude_errors") else ""


def _errors(metric: str, error: str, *common: str) -> Result:
    return {"errors": sel(metric, *common, error), "total": sel(metric, *common)}


def _latency(prefix: str, bucket: str, *common: str) -> Result:
    """Requests not in the `le` bucket are errors: good = the bucket, total = the count."""
    return {"good": sel(f"{prefix}_bucket", *common, f'le="{bucket}"'), "total": sel(f"{prefix}_count", *common)}


def coredns_availability(o: dict, meta: dict) -> Result:
    return _errors("coredns_dns_responses_total", f'rcode=~"{_regex(o, "custom_rcode_regex", "SERVFAIL")}"',
                   _filter(o))


def coredns_latency(o: dict, meta: dict) -> Result:
    return _latency("coredns_dns_request_duration_seconds", _bucket(o), _filter(o))


def fake(o: dict, meta: dict) -> Result:
    """A constant error ratio of burn_rate × the budget (to exercise alerts), optionally jittered."""
    try:
        burn = float(_required(o, "burn_rate"))
        jitter = float(o.get("jitter_percent") or 0)
    except ValueError:
        raise OptionError("options 'burn_rate' and 'jitter_percent' must be numbers") from None
    ratio = (100 - float(meta["objective"])) / 100 * burn
    # a constant: one subquery point per window is the same value at a 43,200th of the cost at 30d
    query = f"max_over_time(vector({ratio:f})[$window:$window])"
    if jitter == 0:
        return {"raw": query}
    noise = f"(time() * minute() * hour() * day_of_week() * month()) % {jitter * 2:f}"
    return {"raw": f"({query}) - (({ratio:f} * ({jitter:f} - ({noise}))) / 100)"}


def haproxy_frontend_availability(o: dict, meta: dict) -> Result:
    return _errors("haproxy_frontend_http_responses_total", 'code="5xx"', _filter(o))


def istio_availability(o: dict, meta: dict) -> Result:
    where = (_filter(o), f'destination_service_name="{_required(o, "service")}"',
             f'destination_service_namespace="{_required(o, "namespace")}"')
    return _errors("istio_requests_total", 'response_code=~"(5..|429)"', *where)


def istio_latency(o: dict, meta: dict) -> Result:
    bucket = _bucket(o)
    where = (_filter(o), _without_5xx(o), f'destination_service_name="{_required(o, "service")}"',
             f'destination_service_namespace="{_required(o, "namespace")}"')
    return _latency("istio_request_duration_milliseconds", bucket, *where)


def apiserver_availability(o: dict, meta: dict) -> Result:
    return _errors("apiserver_request_total", 'code=~"(5..|429)"', _filter(o, checked=True))


def apiserver_latency(o: dict, meta: dict) -> Result:
    bucket = _bucket(o)
    return _latency("apiserver_request_duration_seconds", bucket, _filter(o, checked=True), 'verb!="WATCH"')


def kooper_availability(o: dict, meta: dict) -> Result:
    """Failed events over handled events less the requeued ones (a retried object counts once)."""
    where = (_filter(o), f'controller="{_required(o, "controller")}"')
    handled = f'sum(rate({sel("kooper_controller_processed_event_duration_seconds_count", *where)}[$window]))'
    failed = sel("kooper_controller_processed_event_duration_seconds_count", *where, 'success="false"')
    requeued = sel("kooper_controller_queued_events_total", *where, 'requeue="true"')
    return {"raw": f"(sum(rate({failed}[$window])) / (({handled} - (sum(rate({requeued}[$window])) or on() "
                   f"vector(0))) > 0)) or on() vector(0)"}


def kooper_latency(o: dict, meta: dict) -> Result:
    bucket = _bucket(o)
    return _latency("kooper_controller_processed_event_duration_seconds", bucket, _filter(o),
                    f'controller="{_required(o, "controller")}"')


def kooper_queue_congestion(o: dict, meta: dict) -> Result:
    bucket = _bucket(o)
    return _latency("kooper_controller_event_in_queue_duration_seconds", bucket, _filter(o),
                    f'controller="{_required(o, "controller")}"')


def nginx_ingress_availability(o: dict, meta: dict) -> Result:
    return _errors("nginx_ingress_controller_requests", 'status=~"(5..|429)"', _filter(o, checked=True))


def noop(o: dict, meta: dict) -> Result:
    return {"raw": "max_over_time(vector(0)[$window:$window])"}


def prometheus_rules_eval(o: dict, meta: dict) -> Result:
    f = _filter(o)
    return {"errors": sel("prometheus_rule_evaluation_failures_total", f),
            "total": sel("prometheus_rule_evaluations_total", f)}


def prometheus_targets(o: dict, meta: dict) -> Result:
    """The share of `up` samples that were 0 over the window. (The plugin's text lets `/` bind before
    `or vector(0)`, which gives the down count instead of a share; obs writes the share it means.)"""
    up = sel("up", _filter(o))
    return {"raw": f"(sum(count_over_time(({up} == 0)[$window:])) or on() vector(0))\n/\n"
                   f"sum(count_over_time({up}[$window:]))"}


def go_http_availability(o: dict, meta: dict) -> Result:
    return _errors("http_request_duration_seconds_count", 'code=~"(5..|429)"',
                   _filter(o, checked=True, required=True))


def go_http_latency(o: dict, meta: dict) -> Result:
    bucket = _bucket(o)
    return _latency("http_request_duration_seconds", bucket, _filter(o, checked=True, required=True),
                    _without_5xx(o))


def traefik_v1_availability(o: dict, meta: dict) -> Result:
    return _errors("traefik_backend_requests_total", 'code=~"(5..|429)"', _filter(o),
                   f'backend=~"{_regex(o, "backend_regex")}"')


def traefik_v1_latency(o: dict, meta: dict) -> Result:
    bucket, backend = _bucket(o), _regex(o, "backend_regex")
    return _latency("traefik_backend_request_duration_seconds", bucket, _filter(o), _without_5xx(o),
                    f'backend=~"{backend}"')


def traefik_v2_availability(o: dict, meta: dict) -> Result:
    return _errors("traefik_service_requests_total", 'code=~"(5..)"', _filter(o),
                   f'service=~"{_regex(o, "service_name_regex")}"')


def traefik_v2_latency(o: dict, meta: dict) -> Result:
    bucket, service = _bucket(o), _regex(o, "service_name_regex")
    return _latency("traefik_service_request_duration_seconds", bucket, _filter(o), _without_5xx(o),
                    f'service=~"{service}"')


PRESETS: dict[str, Callable[[dict, dict], Result]] = {PREFIX + k: v for k, v in {
    "coredns/availability": coredns_availability, "coredns/latency": coredns_latency, "fake": fake,
    "haproxy/frontend/availability": haproxy_frontend_availability,
    "istio/v1/availability": istio_availability, "istio/v1/latency": istio_latency,
    "kubernetes/apiserver/availability": apiserver_availability, "kubernetes/apiserver/latency": apiserver_latency,
    "kubernetes/kooper/availability": kooper_availability, "kubernetes/kooper/latency": kooper_latency,
    "kubernetes/kooper/queue-congestion": kooper_queue_congestion,
    "kubernetes/nginx-ingress/availability": nginx_ingress_availability, "noop": noop,
    "prometheus/rules/eval-availability": prometheus_rules_eval,
    "prometheus/targets/availability": prometheus_targets,
    "slok-go-http-metrics/availability": go_http_availability, "slok-go-http-metrics/latency": go_http_latency,
    "traefik/v1/availability": traefik_v1_availability, "traefik/v1/latency": traefik_v1_latency,
    "traefik/v2/availability": traefik_v2_availability, "traefik/v2/latency": traefik_v2_latency,
}.items()}


def sli_of(spec: Any, sli: PosDict, slo: PosDict) -> PosDict | None:
    """The SLI of a Sloth `sli.plugin`: a published sloth-common plugin as its preset; others are Go code.
    `spec` is the Sloth spec being read (obs.load.sloth._Spec: its err/unknown helpers and document)."""
    from obs.load import convert as cv
    from obs.load.sloth import SLOTH_PLUGIN, SLOTH_UNSUPPORTED
    plugin = sli["plugin"]
    pid = plugin.get("id") if isinstance(plugin, PosDict) else None
    if pid not in PRESETS:
        spec.err(f"Sloth SLI plugin {pid!r} is Go code obs cannot run", sli.key_pos["plugin"],
                 code=SLOTH_UNSUPPORTED, hint="obs knows the sloth-common/… plugins of slok/sloth-common-sli-"
                 "plugins; write other plugins' queries as sli.events (error_query/total_query) or sli.raw")
        return None
    spec.unknown(plugin, ("id", "options"), "a Sloth SLI plugin")
    options = plugin.get("options") or {}
    if cv.strings(options) is None:
        spec.err("plugin options must map names to values", plugin.where("options"))
        return None
    text = {str(k): "" if v is None else str(v).lower() if isinstance(v, bool) else str(v)
            for k, v in options.items()}
    try:
        made = PRESETS[pid](text, {"objective": str(slo.get("objective"))})
    except OptionError as e:
        spec.err(f"Sloth SLI plugin {pid}: {e}", plugin.where("options") if "options" in plugin else plugin.pos,
                 code=SLOTH_PLUGIN)
        return None
    out, body = cv.node(sli), cv.node(plugin)
    kind = "raw" if "raw" in made else "ratio"
    for key, value in made.items():
        cv.put(body, "errorRatio" if key == "raw" else key, value, (plugin, "options") if "options" in plugin
               else (sli, "plugin"))
    body.notes.append(f"Sloth SLI plugin {pid}: obs's built-in preset of it ({kind} SLI)")
    cv.put(out, kind, body, (sli, "plugin"))
    return out
