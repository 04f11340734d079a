"""Channel → notification-manager Receiver and Config specs (v2beta2, checked against its v2.5.3 CRDs).

A Receiver says where (robot webhook, chat ids, addresses, Slack channels); its Config how (SMTP
server, WeCom/DingTalk/Feishu app credentials, Slack token). Every credential is a `secretKeyRef`
(obs.notification.credentials). A channel notification-manager cannot send is error AM006.
"""

from __future__ import annotations

from obs import codes
from obs.alertmanager.receivers import MISSING_SMTP, default_sender, smtp_user
from obs.catalog import Catalog, ChannelEntry
from obs.diagnostics import Diagnostics
from obs.notification.credentials import SecretKeyRefs

CANNOT_SEND = codes.define("AM006", "notification-manager/cannot-send",
                           "A channel asks for something notification-manager cannot send, or only by writing a "
                           "secret into a Receiver.")

#: channel type → the notifier key in Receiver/Config specs
KEYS = {"dingtalk": "dingtalk", "wecom": "wechat", "feishu": "feishu", "email": "email", "slack": "slack",
        "webhook": "webhook"}


def _split(value: str | None) -> list[str]:
    """WeCom's `a|b` lists (toUser, toParty, toTag) as notification-manager's string lists."""
    return [v for v in (value or "").split("|") if v]


def channel_specs(catalog: Catalog, ch: ChannelEntry, refs: SecretKeyRefs,
                  diags: Diagnostics) -> tuple[str, dict, dict | None] | None:
    """(notifier key, receiver part, config part or None); None after reporting AM006."""
    s = ch.spec
    if s.type == "dingtalk":
        rcv: dict = {"chatbot": {"webhook": refs.value(s.url),
                                 **({"secret": refs.credential(s.secret)} if s.secret else {})}}
        conf = None
        if s.chatIds:
            rcv["conversation"] = {"chatids": list(s.chatIds)}
            conf = {"conversation": {"appkey": refs.credential(s.appKey), "appsecret": refs.credential(s.appSecret)}}
        return "dingtalk", rcv, conf
    if s.type == "feishu":
        return "feishu", *_feishu(s, refs)
    if s.type == "wecom" and s.corpId:
        rcv = {"toUser": _split(s.toUser), "toParty": _split(s.toParty), "toTag": _split(s.toTag)}
        rcv = {k: v for k, v in rcv.items() if v} or {"toUser": ["@all"]}
        return "wechat", rcv, {"wechatApiCorpId": s.corpId, "wechatApiAgentId": s.agentId,
                               "wechatApiSecret": refs.credential(s.apiSecret)}
    if s.type == "wecom":
        return "wechat", {"chatbot": {"webhook": refs.value(s.url)}}, None
    if s.type == "email":
        return _email(catalog, ch, refs, diags)
    if s.type == "slack":
        if s.token is None or not s.channel:
            _cannot(diags, ch, "token" if s.token is None else "channel",
                    "notification-manager sends Slack messages with a bot token to a channel, not to an incoming "
                    "webhook", "add token: {secret: {name: slack-bot, key: token}} and channel: '#alerts'")
            return None
        return "slack", {"channels": [s.channel]}, {"slackTokenSecret": refs.credential(s.token)}
    if s.type == "webhook":
        if not isinstance(s.url, str):
            _cannot(diags, ch, "url", "notification-manager reads a webhook's URL only from the Receiver itself, so a "
                    "secret URL would be written out", "give a URL that holds no secret, e.g. an in-cluster service")
            return None
        return "webhook", {"url": s.url}, None
    _cannot(diags, ch, "type", f"notification-manager has no {s.type} notifier",
            "route it through a webhook channel, or use defaults.alertmanager.mode: secret")
    return None


def _feishu(s, refs: SecretKeyRefs) -> tuple[dict, dict | None]:
    """The custom bot (webhook, signing secret) and, with user or department ids, the app's batch
    message: notification-manager sends both (pkg/notify/notifier/feishu), the app with its Config."""
    rcv: dict = {"chatbot": {"webhook": refs.value(s.url),
                             **({"secret": refs.credential(s.secret)} if s.secret else {})}}
    if not (s.userIds or s.departmentIds):
        return rcv, None
    rcv.update({k: list(v) for k, v in (("user", s.userIds), ("department", s.departmentIds)) if v})
    return rcv, {"appID": refs.value(s.appId), "appSecret": refs.credential(s.appSecret)}


def _email(catalog: Catalog, ch: ChannelEntry, refs: SecretKeyRefs, diags: Diagnostics):
    s, d = ch.spec, catalog.defaults.alertmanager
    if not s.smarthost:
        diags.error(MISSING_SMTP, f"email channel {ch.name!r} has no 'smarthost': notification-manager cannot send "
                    "mail without one", s.pos_of("to") or ch.origin.pos, hint="add smarthost: smtp.example.com:587")
        return None
    host, _, port = s.smarthost.rpartition(":")
    if not port.isdigit():
        host, port = s.smarthost, "25"
    conf: dict = {"from": s.sender or d.smtpFrom or default_sender(s.smarthost),
                  "smartHost": {"host": host.strip("[]"), "port": int(port)}}
    if s.password is not None:
        conf["authUsername"] = smtp_user(s, d) or ""
        conf["authPassword"] = refs.credential(s.password)
    elif s.username:
        conf["authUsername"] = s.username
    return "email", {"to": list(s.to)}, conf


def _cannot(diags: Diagnostics, ch: ChannelEntry, field: str, why: str, hint: str) -> None:
    diags.error(CANNOT_SEND, f"channel {ch.name!r}: {why}", ch.spec.pos_of(field) or ch.origin.pos, hint=hint)
