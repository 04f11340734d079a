"""Channel → Alertmanager receiver (SPEC §1.6).

Alertmanager has no DingTalk notifier, and WeCom group robots do not take its webhook body:
DingTalk goes through prometheus-webhook-dingtalk (`<dingtalkRelay>/dingtalk/<channel>/send`,
the robot URL and signing secret live in the relay's config, which obs emits beside the
Alertmanager Secret), a WeCom robot through PrometheusAlert
(`<wecomRelay>/prometheusalert?type=wx&tpl=prometheus-wx&wxurl=<robot url>`); a WeCom channel
with `corpId` uses Alertmanager's own `wechat_configs`, a Feishu robot PrometheusAlert too
(`<feishuRelay>/prometheusalert?type=fs&tpl=prometheus-fs&fsurl=<robot url>`). The relays' URLs are settings obs cannot
guess (AM005 when missing, obs.alertmanager.mode.relay).
"""

from __future__ import annotations

from obs import codes
from obs.alertmanager.mode import relay
from obs.alertmanager.secrets import Secrets
from obs.catalog import Catalog, ChannelEntry
from obs.diagnostics import Diagnostics
from obs.model import ChannelSpec
from obs.project import AlertmanagerDefaults

MISSING_SMTP = codes.define("AM001", "alertmanager/email-smarthost",
                            "An email channel has no smarthost, so Alertmanager could not send its mail.")


def receiver(catalog: Catalog, ch: ChannelEntry, secrets: Secrets, diags: Diagnostics) -> dict:
    s, out, d = ch.spec, {"name": ch.name}, catalog.defaults.alertmanager
    resolved = {"send_resolved": s.sendResolved}
    base = relay(catalog, ch, diags)
    if s.type == "dingtalk":
        url = f"{base}/dingtalk/{ch.name}/send"
        out["webhook_configs"] = [{**resolved, "url": url}]
    elif s.type == "wecom" and s.corpId:
        conf = {**resolved, "corp_id": s.corpId, "agent_id": s.agentId, "api_secret": secrets.inline(s.apiSecret)}
        for key, value in (("to_user", s.toUser), ("to_party", s.toParty), ("to_tag", s.toTag)):
            if value:
                conf[key] = value
        if not (s.toUser or s.toParty or s.toTag):
            conf["to_user"] = "@all"
        out["wechat_configs"] = [conf]
    elif s.type == "wecom":
        url = f"{base}/prometheusalert?type=wx&tpl=prometheus-wx&wxurl={secrets.inline(s.url)}"
        out["webhook_configs"] = [{**resolved, "url": url}]
    elif s.type == "feishu":
        url = f"{base}/prometheusalert?type=fs&tpl=prometheus-fs&fsurl={secrets.inline(s.url)}"
        out["webhook_configs"] = [{**resolved, "url": url}]
    elif s.type == "webhook":
        out["webhook_configs"] = [{**resolved, "url": secrets.inline(s.url, url=True)}]
    elif s.type == "slack":
        conf = {**resolved}
        conf.update({"api_url": s.url} if isinstance(s.url, str) else {"api_url_file": secrets.file(s.url)})
        if s.channel:
            conf["channel"] = s.channel
        out["slack_configs"] = [conf]
    elif s.type == "pagerduty":
        out["pagerduty_configs"] = [{**resolved, "routing_key_file": secrets.file(s.routingKey)}]
    elif s.type == "email":
        out["email_configs"] = [_email(ch, d, secrets, diags)]
    return out


def _email(ch: ChannelEntry, d: AlertmanagerDefaults, secrets: Secrets, diags: Diagnostics) -> dict:
    s = ch.spec
    conf: dict = {"send_resolved": s.sendResolved, "to": ", ".join(s.to)}
    sender = s.sender or d.smtpFrom or default_sender(s.smarthost)
    if sender:
        conf["from"] = sender
    if s.smarthost:
        conf["smarthost"] = s.smarthost
    else:
        diags.error(MISSING_SMTP, f"email channel {ch.name!r} has no 'smarthost': Alertmanager cannot send mail "
                    "without one", ch.spec.pos_of("to") or ch.origin.pos, hint="add smarthost: smtp.example.com:587")
    if s.password is not None:
        conf["auth_username"] = smtp_user(s, d) or ""
        conf["auth_password_file"] = secrets.file(s.password)
    elif s.username:
        conf["auth_username"] = s.username
    return conf


def smtp_user(s: ChannelSpec, d: AlertmanagerDefaults) -> str | None:
    """The SMTP login of an email channel (Alertmanager and ElastAlert alike): `username`, else the sender."""
    return s.username or s.sender or d.smtpFrom or default_sender(s.smarthost)


def default_sender(smarthost: str | None) -> str | None:
    """alertmanager@<mail domain>: smtp.shop.example.com:587 → alertmanager@shop.example.com."""
    if not smarthost:
        return None
    host = smarthost.rsplit(":", 1)[0].strip("[]")
    parts = host.split(".")
    domain = ".".join(parts[1:]) if len(parts) > 2 else host
    return f"alertmanager@{domain}"
