"""Channels (SPEC §1.6) as ElastAlert alerters, Watcher actions and OpenSearch monitor actions.

A log alert reaches its `notify:` channels and every channel whose `match:` labels it carries,
so log and metric alerts of a team land in the same place. Secret-bearing values are written
as `${VAR}` placeholders (obs.logs.secrets); nothing here ever holds a secret's value.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from obs import codes
from obs.alertmanager.mode import UNSIGNED_FEISHU
from obs.catalog import Catalog, ChannelEntry, LogAlertEntry
from obs.diagnostics import Diagnostic
from obs.logs import template
from obs.logs.secrets import EnvNeed, placeholder

PRIORITY = {"critical": 1, "warning": 2, "info": 3}
#: the rule's `jinja_root_name` (ElastAlert's default, written out where obs relies on it)
JINJA_ROOT = "_data"
UNSIGNED = codes.define("LG007", "logs/dingtalk-signing",
                        "A watch or monitor would send to a DingTalk robot that needs signed requests (`secret:`).")


def recipients(catalog: Catalog, entry: LogAlertEntry) -> list[ChannelEntry]:
    """`notify:` channels in order, then matching channels by name; unknown names are another check's."""
    out = [catalog.channels[n] for n in entry.notify if n in catalog.channels]
    for ch in catalog.channels.values():
        if ch not in out and ch.spec.match and all(entry.labels.get(k) == v for k, v in ch.spec.match.items()):
            out.append(ch)
    return out


Ref = Callable[[str], str]


def summary(entry: LogAlertEntry, ref: Ref | None = None) -> str:
    """The summary with its field references (obs.logs.template) as `ref` writes them; as written without."""
    return template.render(entry.spec.summary, ref) if ref else entry.spec.summary


def message(entry: LogAlertEntry, ref: Ref | None = None) -> str:
    """Summary, description and runbook, as people read them (non-ASCII kept)."""
    spec = entry.spec
    description = template.render(spec.description, ref) if ref and spec.description else spec.description
    parts = [summary(entry, ref)] + [p for p in (description, spec.runbook and f"Runbook: {spec.runbook}") if p]
    return "\n\n".join(parts)


def alert_labels(entry: LogAlertEntry) -> dict[str, str]:
    labels = {"alertname": entry.name, **entry.labels}
    if entry.service:
        labels.setdefault("service", entry.service)
    return dict(sorted(labels.items()))


# --- ElastAlert 2 --------------------------------------------------------------------------------

def elastalert_alerters(catalog: Catalog, entry: LogAlertEntry, needs: set[EnvNeed]) -> list:
    """The rule's `alert:` list, one `{alerter: {options}}` per channel so options never collide."""
    hosts = catalog.defaults.logs.alertmanager
    if hosts:
        return [{"alertmanager": {
            "alertmanager_hosts": list(hosts), "alertmanager_api_version": "v2",
            "alertmanager_alertname": entry.name, "alertmanager_labels": alert_labels(entry),
            "alertmanager_annotations": _annotations(entry)}}]
    return [_elastalert(catalog, ch, entry, needs) for ch in recipients(catalog, entry)]


def _annotations(entry: LogAlertEntry, ref: Ref | None = None) -> dict[str, str]:
    spec = entry.spec
    description = template.render(spec.description, ref) if ref and spec.description else spec.description
    ann = {"summary": summary(entry, ref), **({"description": description} if description else {}),
           **({"runbook_url": spec.runbook} if spec.runbook else {}), **spec.annotations}
    return dict(sorted(ann.items()))


def feishu_body(text: str) -> dict:
    """A Feishu custom bot's text message (open-apis/bot/v2/hook)."""
    return {"msg_type": "text", "content": {"text": text}}


def _jinja(entry: LogAlertEntry) -> Ref | None:
    """Field references as Jinja over ElastAlert's match (root `_data`) when the text has any."""
    return (lambda f: template.jinja(f, JINJA_ROOT)) if template.fields(entry.spec.summary, entry.spec.description) \
        else None


def _elastalert(catalog: Catalog, ch: ChannelEntry, entry: LogAlertEntry, needs: set[EnvNeed]) -> dict:
    s = ch.spec
    if s.type == "dingtalk":
        opts = {"dingtalk_access_token": placeholder(s.url, "access_token", needs), "dingtalk_msgtype": "text"}
        if s.secret:
            opts["dingtalk_sign"] = placeholder(s.secret, None, needs)
        return {"dingtalk": opts}
    if s.type == "wecom":
        return {"workwechat": {"work_wechat_bot_id": placeholder(s.url, "key", needs), "work_wechat_msgtype": "text"}}
    if s.type == "feishu":  # not ElastAlert's `lark`: it posts to open.feishu.cn/…/hook/<lark_bot_id> only
        return {"post2": {"http_post2_url": placeholder(s.url, None, needs),
                          "http_post2_payload": feishu_body(message(entry, _jinja(entry))),
                          "http_post2_all_values": False}}
    if s.type == "slack":
        opts = {"slack_webhook_url": placeholder(s.url, None, needs)}
        if s.channel:
            opts["slack_channel_override"] = s.channel
        return {"slack": opts}
    if s.type == "webhook":  # ElastAlert renders the payload with Jinja over the match, `_data` its root
        jinja = (lambda f: template.jinja(f, JINJA_ROOT)) if template.fields(entry.spec.summary) else None
        return {"post2": {"http_post2_url": placeholder(s.url, None, needs),
                          "http_post2_payload": {**alert_labels(entry), "summary": summary(entry, jinja)},
                          "http_post2_all_values": True}}
    if s.type == "pagerduty":
        return {"pagerduty": {"pagerduty_service_key": placeholder(s.routingKey, None, needs),
                              "pagerduty_client_name": f"obs/{catalog.name}", "pagerduty_api_version": "v2",
                              "pagerduty_v2_payload_severity": entry.spec.severity if entry.spec.severity != "info"
                              else "info"}}
    opts = {"email": list(s.to)}
    if s.sender:
        opts["from_addr"] = s.sender
    if s.smarthost:
        host, _, port = s.smarthost.rpartition(":") if s.smarthost.rpartition(":")[2].isdigit() \
            else (s.smarthost, "", "")
        opts["smtp_host"] = host.strip("[]")
        if port:
            opts["smtp_port"] = int(port)
            if int(port) == SMTPS_PORT:
                opts["smtp_ssl"] = True  # ElastAlert speaks plain SMTP (+ STARTTLS) unless told: 465 is TLS at once
    if s.password is not None:
        opts["smtp_auth_file"] = smtp_auth_file(catalog, ch)
        if not catalog.defaults.logs.smtpAuthDir:
            placeholder(s.password, None, needs)  # the generated auth file reads it from the environment
    return {"email": opts}


# --- the SMTP login file ElastAlert reads (smtp_auth_file) ---------------------------------------

SMTPS_PORT = 465
#: not .yaml: ElastAlert loads every .yaml/.yml file of its rules folder as a rule
AUTH_SUFFIX = ".smtp-auth"


def smtp_auth_file(catalog: Catalog, ch: ChannelEntry) -> str:
    """The path a rule names: beside the rule (ElastAlert resolves a relative path from the rule's folder,
    and the file is in the same ConfigMap), or in `defaults.logs.smtpAuthDir` when the team mounts its own."""
    folder = catalog.defaults.logs.smtpAuthDir
    return f"{folder.rstrip('/')}/{ch.name}.yaml" if folder else f"{ch.name}{AUTH_SUFFIX}"


def smtp_auth_text(catalog: Catalog, ch: ChannelEntry) -> str:
    """`user` and `password` as ElastAlert's get_account reads them; the password is `${VAR}`, which
    ElastAlert expands from its environment, in a literal block so that no character of it is YAML syntax."""
    from obs import yamlout
    from obs.alertmanager.receivers import smtp_user
    user = smtp_user(ch.spec, catalog.defaults.alertmanager) or ""
    return (f"# SMTP login of channel {ch.name} for ElastAlert 2 (smtp_auth_file), generated by obs from "
            f"{ch.origin}\nuser: {yamlout.scalar(user)}\npassword: |2-\n  {placeholder(ch.spec.password)}\n")


def smtp_logins(catalog: Catalog, entry: LogAlertEntry) -> list[ChannelEntry]:
    """The email channels of an alert whose auth file obs writes (none in Alertmanager mode or with smtpAuthDir)."""
    d = catalog.defaults.logs
    if d.alertmanager or d.smtpAuthDir or entry.raw is not None:
        return []
    return [ch for ch in recipients(catalog, entry) if ch.spec.type == "email" and ch.spec.password is not None]


# --- Watcher and OpenSearch ----------------------------------------------------------------------

def _json_body(ch: ChannelEntry, entry: LogAlertEntry, text: str, subject: str) -> str:
    """The request body a channel's webhook takes; `text` and `subject` may hold mustache from the target."""
    t = ch.spec.type
    if t in ("dingtalk", "wecom"):
        body: object = {"msgtype": "text", "text": {"content": text}}
    elif t == "feishu":
        body = feishu_body(text)
    elif t == "slack":
        body = {"text": text, **({"channel": ch.spec.channel} if ch.spec.channel else {})}
    elif t == "pagerduty":
        body = {"routing_key": placeholder(ch.spec.routingKey), "event_action": "trigger",
                "payload": {"summary": subject, "source": "obs",
                            "severity": entry.spec.severity, "custom_details": {"text": text}}}
    else:
        body = {**alert_labels(entry), "summary": subject, "text": text}
    return json.dumps(body, ensure_ascii=False, sort_keys=True)


def _url(ch: ChannelEntry, needs: set[EnvNeed]) -> str:
    if ch.spec.type == "pagerduty":
        placeholder(ch.spec.routingKey, None, needs)
        return "https://events.pagerduty.com/v2/enqueue"
    return placeholder(ch.spec.url, None, needs)


def cannot_sign(catalog: Catalog, entry: LogAlertEntry, target: str) -> Diagnostic | None:
    """DingTalk refuses a signing robot's requests without `timestamp` and `sign` (an HMAC of the
    time of sending); a watch's webhook and an OpenSearch Notifications channel send a fixed URL."""
    return unsigned_feishu(catalog, entry, target) or _unsigned(
        catalog, entry, target, "dingtalk", UNSIGNED, "sign requests to DingTalk",
        "send it through Alertmanager (defaults.logs.alertmanager), use the elastalert target, "
        "or a robot secured by keyword or IP instead of signing")


def unsigned_feishu(catalog: Catalog, entry: LogAlertEntry, target: str) -> Diagnostic | None:
    """Feishu wants `timestamp` and `sign` in the body of a signing robot's messages; no log target
    computes them (ElastAlert 2 has no Feishu signing, watches and monitors send a fixed body)."""
    return _unsigned(catalog, entry, target, "feishu", UNSIGNED_FEISHU, "sign messages to Feishu",
                     "send log alerts through Alertmanager to notification-manager "
                     "(defaults.logs.alertmanager), or use a robot secured by keyword or IP allowlist")


def _unsigned(catalog: Catalog, entry: LogAlertEntry, target: str, kind: str, code: str, what: str,
              hint: str) -> Diagnostic | None:
    """The first channel of `kind` with a signing `secret:` that `target` would send to itself."""
    if catalog.defaults.logs.alertmanager:
        return None
    ch = next((c for c in recipients(catalog, entry) if c.spec.type == kind and c.spec.secret), None)
    if ch is None:
        return None
    return Diagnostic(code, f"log alert {entry.name!r}: target {target} cannot {what} "
                      f"channel {ch.name!r} (it has `secret:`)", entry.spec.pos_of("notify") or entry.spec.pos,
                      hint=hint)


def watcher_actions(catalog: Catalog, entry: LogAlertEntry, text: str, needs: set[EnvNeed],
                    ref: Ref | None = None) -> dict:
    """Watch actions keyed by channel name; secrets stay `${VAR}` until `obs apply` fills them."""
    hosts = catalog.defaults.logs.alertmanager
    subject = summary(entry, ref)
    if hosts:
        body = json.dumps([{"labels": alert_labels(entry), "annotations": _annotations(entry, ref)}],
                          ensure_ascii=False, sort_keys=True)
        return {f"alertmanager-{i}": {"webhook": {"method": "post", "url": f"{h.rstrip('/')}/api/v2/alerts",
                                                   "headers": {"Content-Type": "application/json"}, "body": body}}
                for i, h in enumerate(hosts)}
    actions = {}
    for ch in recipients(catalog, entry):
        if ch.spec.type == "email":
            email = {"to": list(ch.spec.to), "subject": subject, "body": {"text": text}}
            actions[ch.name] = {"email": {**email, **({"from": ch.spec.sender} if ch.spec.sender else {})}}
        else:
            actions[ch.name] = {"webhook": {"method": "post", "url": _url(ch, needs),
                                            "headers": {"Content-Type": "application/json"},
                                            "body": _json_body(ch, entry, text, subject)}}
    return actions


def monitor_actions(catalog: Catalog, entry: LogAlertEntry, text: str, throttle_minutes: int | None,
                    ref: Ref | None = None) -> list[dict]:
    """Trigger actions that send to OpenSearch Notifications channels whose config id is `obs-<channel>`
    (created by `obs apply` with the secrets resolved), so monitors hold no secret at all."""
    chans = [None] if catalog.defaults.logs.alertmanager else recipients(catalog, entry)
    out = []
    for ch in chans:
        name = ch.name if ch else "alertmanager"
        # a Feishu robot takes only its JSON message (lang-mustache escapes what it fills in for JSON by default)
        feishu = ch is not None and ch.spec.type == "feishu"
        body = json.dumps(feishu_body(text), ensure_ascii=False, sort_keys=True) if feishu else text
        action = {"name": f"notify-{name}", "destination_id": f"obs-{name}",
                  "subject_template": {"source": summary(entry, ref), "lang": "mustache"},
                  "message_template": {"source": body, "lang": "mustache"},
                  "throttle_enabled": throttle_minutes is not None}
        if throttle_minutes is not None:
            action["throttle"] = {"value": throttle_minutes, "unit": "MINUTES"}
        out.append(action)
    return out
