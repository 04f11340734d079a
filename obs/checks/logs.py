"""Log alert checks: the condition grammar, ElastAlert rules kept from before obs, reachability.

ElastAlert 2's own schema lets unknown options through; these checks name them against the
option set of the real package (obs.logs.elastalert_options) with a did-you-mean.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from obs import codes
from obs.checks import check
from obs.diagnostics import Diagnostic, Severity
from obs.load.salvage import broken_of
from obs.logs import condition_of
from obs.logs.channels import recipients
from obs.logs.condition import parse_condition
from obs.logs.elastalert_options import known

UNKNOWN_OPTION = codes.define("LG004", "logs/elastalert-unknown-option",
                              "An ElastAlert rule has an option ElastAlert 2 does not read (often a typo).")
LITERAL_SECRET = codes.define(
    "LG005", "logs/elastalert-literal-secret",
    "An ElastAlert rule kept from before obs holds a token, password or webhook URL literally.")
NO_CHANNEL = codes.define("LG006", "logs/no-channel",
                          "A log alert reaches no channel: no `notify:` and no channel `match:`es its labels.")
_SECRETISH = re.compile(r"(token|password|_pass$|secret|service_key|api_key|apikey|webhook_url|_bot_id$|routing_key"
                        r"|opsgenie_key)")


@check("LG001", "logs/condition", "Every log alert's `when:` follows the grammar of SPEC §1.5.")
def conditions(build) -> Iterable[Diagnostic]:
    for entry in build.catalog.log_alerts:
        if entry.raw is None:
            cond = condition_of(entry)
            if isinstance(cond, Diagnostic):
                yield cond
            elif cond.kind == "elastalert":
                yield from _options(cond.options, entry.spec.pos_of("when"), f"log alert {entry.name!r}")
    for item in broken_of(build.defs, "LogAlert"):  # a missing summary must not hide a bad `when:`
        if item.intact("when"):
            cond = parse_condition(item.data["when"], item.data.where("when"))
            if isinstance(cond, Diagnostic):
                yield cond
            elif cond.kind == "elastalert":
                yield from _options(cond.options, item.data.where("when"), f"log alert {item.name!r}")


#: options of the original ElastAlert (Yelp's, 0.2.x) that ElastAlert 2 no longer reads: rules written for it
#: still load in ElastAlert 2, which ignores these (read from both projects' option sets)
DROPPED = frozenset({
    "doc_type", "use_kibana4_dashboard", "use_kibana_dashboard", "kibana4_start_timedelta", "kibana4_end_timedelta",
    "kibana_dashboard", "generate_kibana_link", "dashboard_schema", "download_dashboard", "simple_webhook_url",
    "simple_proxy", "new_style_string_format", "alerta_new_style_string_format", "boto_profile", "stomp_ssl",
    "hipchat_auth_token", "hipchat_domain", "hipchat_from", "hipchat_ignore_ssl_errors", "hipchat_mentions",
    "hipchat_message_format", "hipchat_msg_color", "hipchat_notify", "hipchat_proxy", "hipchat_room_id",
    "stride_access_token", "stride_cloud_id", "stride_conversation_id", "stride_ignore_ssl_errors", "stride_proxy",
})


def _options(rule: dict, default_pos, what: str, kept: bool = False) -> Iterable[Diagnostic]:
    """Options ElastAlert 2 does not read. In a rule kept from before obs they are a warning: ElastAlert 2
    loads the rule and ignores them; in an obs/v1 `when: {elastalert: …}` they are an error."""
    names = known()
    severity = Severity.WARNING if kept else Severity.ERROR
    for key in rule:
        if not isinstance(key, str) or key in names:
            continue
        where = getattr(rule, "key_pos", {}).get(key) or default_pos
        if key in DROPPED:
            yield Diagnostic(UNKNOWN_OPTION, f"{what}: {key!r} is an option of the original ElastAlert that "
                             "ElastAlert 2 no longer reads; it is ignored", where, severity,
                             hint=f"remove {key!r}; the rule runs the same without it")
            continue
        near = difflib.get_close_matches(key, names, n=1, cutoff=0.75)
        yield Diagnostic(UNKNOWN_OPTION, f"{what}: ElastAlert 2 has no option {key!r}; it "
                         + ("ignores it" if kept else "would be ignored"),
                         where, severity, hint=f"did you mean {near[0]!r}?" if near else None)


@check(UNKNOWN_OPTION, "logs/elastalert-unknown-option", "ElastAlert rule options are ones ElastAlert 2 reads.")
def legacy_options(build) -> Iterable[Diagnostic]:
    for entry in build.catalog.log_alerts:
        if entry.raw is not None:
            yield from _options(entry.raw, entry.origin.pos, f"ElastAlert rule {entry.name!r}", kept=True)


@check(LITERAL_SECRET, "logs/elastalert-literal-secret", "ElastAlert rules take secrets from the environment.")
def legacy_secrets(build) -> Iterable[Diagnostic]:
    """One rule for every alerter option of a kept rule: a literal credential is a warning (the rule ran
    like this before obs), a `$NAME` / `${NAME}` reference is what ElastAlert 2 expands and no finding."""
    from obs.checks.secrets import SECRET_KEYS, literal, walk
    for entry in build.catalog.log_alerts:
        if entry.raw is None:
            continue
        for path, key, value, pos, shown in walk(entry.raw):
            if literal(key, value, shown, expands_env=True,
                       secret_key=lambda k: k.lower() in SECRET_KEYS or bool(_SECRETISH.search(k.lower()))):
                yield Diagnostic(LITERAL_SECRET, f"ElastAlert rule {entry.name!r}: {path} is written literally and "
                                 "would be committed and compiled into out/", pos or entry.origin.pos,
                                 Severity.WARNING,
                                 hint=f"write {key or path}: ${{VARIABLE}} and give the ElastAlert pod that variable")


@check("LG021", "logs/elastalert-no-realert", "An ElastAlert rule kept from before obs has no `realert`: it "
                                            "notifies every minute while its condition holds.")
def legacy_realert(build) -> Iterable[Diagnostic]:
    d = build.catalog.defaults.logs
    for entry in build.catalog.log_alerts:
        raw = entry.raw
        if raw is None or "realert" in raw or "aggregation" in raw or d.alertmanager or _to_alertmanager(raw):
            continue  # Alertmanager deduplicates alerts that are re-sent every run
        quiet = getattr(d.realert, entry.spec.severity)
        pos = raw.key_pos.get("alert") if hasattr(raw, "key_pos") else None
        yield Diagnostic("LG021", f"ElastAlert rule {entry.name!r} has no realert: ElastAlert notifies again every "
                         "minute while its condition holds", pos or entry.origin.pos, Severity.WARNING,
                         hint=f"add realert: {_elastalert_time(quiet)} (obs's default for {entry.spec.severity} "
                              "log alerts, defaults.logs.realert)")


def _to_alertmanager(raw: dict) -> bool:
    alerters = raw.get("alert")
    alerters = alerters if isinstance(alerters, list) else [alerters]
    return any(a == "alertmanager" or (isinstance(a, dict) and "alertmanager" in a) for a in alerters)


def _elastalert_time(duration: str) -> str:
    from obs.logs import timeframe
    return "{" + ", ".join(f"{k}: {v}" for k, v in timeframe(duration).items()) + "}"


@check("LG020", "channel/smtp-login", "An email channel with a password has no `username`: the SMTP login of "
                                     "ElastAlert's auth file and Alertmanager is a guess, or there is none.")
def smtp_login(build) -> Iterable[Diagnostic]:
    from obs.alertmanager.receivers import smtp_user
    catalog = build.catalog
    if not {"elastalert", "alertmanager"} & set(catalog.project.spec.targets):
        return
    for ch in catalog.channels.values():
        s = ch.spec
        if s.type != "email" or s.password is None or s.username or s.sender or catalog.defaults.alertmanager.smtpFrom:
            continue  # the sender (`from`) is the login of most mail services
        user = smtp_user(s, catalog.defaults.alertmanager)
        hint = "add username: (the SMTP account), or from: when the account is the sender address"
        if user is None:
            yield Diagnostic("LG020", f"email channel {ch.name!r} has a password but no username, no from and no "
                             "smarthost: there is no user to log in as", s.pos_of("password"), hint=hint)
        else:
            yield Diagnostic("LG020", f"email channel {ch.name!r} has a password but no username or from: the SMTP "
                             f"login would be {user!r}, guessed from the smarthost", s.pos_of("password"),
                             Severity.WARNING, hint=hint)


@check("LG023", "logs/field-reference", "`{{ … }}` in a log alert's summary or description names a field of the "
                                        "log line (`{{ kubernetes.pod_name }}`); anything else would reach people "
                                        "half-rendered.")
def field_references(build) -> Iterable[Diagnostic]:
    from obs.logs.template import bad_references
    for entry in build.catalog.log_alerts:
        if entry.raw is not None:
            continue
        for key in ("summary", "description"):
            for bad in bad_references(getattr(entry.spec, key)):
                yield Diagnostic("LG023", f"log alert {entry.name!r}: {key} has {{{{{bad.content}}}}}, which is not "
                                 "a field reference", entry.spec.pos_of(key),
                                 hint="log alerts name fields of the log line: {{ kubernetes.pod_name }} (no "
                                      "$labels, no expressions)")


_STRFTIME = re.compile(r"%[A-Za-z]")


@check("LG022", "logs/strftime-index", "A log alert's index is a strftime pattern (`logs-%Y.%m.%d`): obs/v1 "
                                       "takes index patterns (`logs-*`), and ElastAlert reads one only with "
                                       "`use_strftime_index`.")
def strftime_index(build) -> Iterable[Diagnostic]:
    from obs.load.elastalert import index_pattern
    for entry in build.catalog.log_alerts:
        raw = entry.raw
        if raw is None and _STRFTIME.search(entry.index):
            yield Diagnostic("LG022", f"log alert {entry.name!r}: index {entry.index!r} is a strftime pattern; it "
                             "would be searched as a literal index name", entry.spec.pos_of("index")
                             or entry.origin.pos, hint=f"index: {index_pattern(entry.index)!r} matches the same "
                                                       "daily indices (the time range picks the days)")
        elif raw is not None and isinstance(raw.get("index"), str) and _STRFTIME.search(raw["index"]) \
                and not raw.get("use_strftime_index"):
            yield Diagnostic("LG022", f"ElastAlert rule {entry.name!r}: index {raw['index']!r} looks like a strftime "
                             "pattern, but without use_strftime_index ElastAlert searches it as a literal name",
                             raw.where("index"), Severity.WARNING,
                             hint="add use_strftime_index: true, or write the index as a pattern such as "
                                  f"{index_pattern(raw['index'])!r}")


@check(NO_CHANNEL, "logs/no-channel", "Every log alert reaches at least one channel.")
def reachability(build) -> Iterable[Diagnostic]:
    catalog = build.catalog
    if catalog.defaults.logs.alertmanager or build.defs.incomplete("Channel"):
        return  # a channel that failed to load might match: its own error says enough
    for entry in catalog.log_alerts:
        if entry.raw is None and not entry.notify and not recipients(catalog, entry):
            labels = ", ".join(f"{k}={v}" for k, v in sorted(entry.labels.items()))
            yield Diagnostic(NO_CHANNEL, f"log alert {entry.name!r} reaches no channel: it has no `notify:` and no "
                             f"channel matches its labels ({labels})",
                             entry.spec.pos, Severity.WARNING,
                             hint="add `notify: [CHANNEL]` or a Channel whose `match:` fits these labels")


@check("LG008", "logs/empty-index", "A log alert's `index:` names at least one index pattern (an empty list of "
                                    "indices would search every index of the cluster).")
def empty_index(build) -> Iterable[Diagnostic]:
    from obs.logs import indices
    for entry in build.catalog.log_alerts:
        if entry.raw is None and not indices(entry):
            yield Diagnostic("LG008", f"log alert {entry.name!r}: index {entry.index!r} names no index pattern",
                             entry.spec.pos_of("index") or entry.origin.pos,
                             hint="for example ks-logstash-log-* (or set defaults.logs.index)")
