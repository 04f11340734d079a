"""Channel (SPEC §1.6): where alerts of a team go. Secret-bearing fields take references only."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from obs.model.base import Duration, LabelValue, Spec, invalid
from obs.model.secrets import Reference, Value

ChannelType = Literal["dingtalk", "wecom", "feishu", "email", "slack", "webhook", "pagerduty"]

#: user or department ids of one Feishu Receiver (`maxItems` of its CRD, notification-manager v2.5.3)
FEISHU_MAX_IDS = 200
#: the fields each type needs
_REQUIRED = {
    "dingtalk": ("url",), "wecom": ("url",), "feishu": ("url",), "slack": ("url",), "webhook": ("url",),
    "email": ("to",), "pagerduty": ("routingKey",),
}


class ChannelSpec(Spec):
    type: ChannelType
    url: Value | None = None
    #: DingTalk or Feishu robot signing secret
    secret: Reference | None = None
    #: DingTalk conversation (enterprise app) messages, notification-manager only: app key and secret, chat ids
    appKey: Reference | None = None
    appSecret: Reference | None = None
    chatIds: list[str] = Field(default_factory=list)
    #: Feishu app messages, notification-manager only: the app (ID, secret) sends to users and departments
    appId: Value | None = None
    userIds: list[str] = Field(default_factory=list)
    departmentIds: list[str] = Field(default_factory=list)
    #: Slack bot token: notification-manager sends with a token and `channel`, not an incoming webhook
    token: Reference | None = None
    #: KubeSphere tenant (user) whose namespaces' alerts notification-manager gives this channel;
    #: unset: a global receiver filtered by `match` and `notify:` (docs/notification-manager.md)
    tenant: str | None = None
    to: list[str] = Field(default_factory=list)
    sender: str | None = Field(None, alias="from")
    smarthost: str | None = None
    username: str | None = None
    password: Reference | None = None
    channel: str | None = None
    routingKey: Reference | None = None
    #: WeCom application messages: Alertmanager uses wechat_configs instead of the robot `url` relay
    corpId: str | None = None
    agentId: str | None = None
    apiSecret: Reference | None = None
    toUser: str | None = None
    toParty: str | None = None
    toTag: str | None = None
    match: dict[str, LabelValue] = Field(default_factory=dict)
    sendResolved: bool = True
    groupBy: list[str] | None = None
    groupWait: Duration | None = None
    groupInterval: Duration | None = None
    repeatInterval: Duration | None = None

    @model_validator(mode="after")
    def _required_by_type(self) -> ChannelSpec:
        needed = _REQUIRED[self.type] + (("agentId", "apiSecret") if self.type == "wecom" and self.corpId else ()) \
            + (("appKey", "appSecret") if self.type == "dingtalk" and self.chatIds else ()) \
            + (("appId", "appSecret") if self.type == "feishu" and (self.userIds or self.departmentIds) else ())
        missing = [f for f in needed if not getattr(self, f)]
        if missing:
            raise invalid("value", f"a {self.type} channel needs {', '.join(repr(m) for m in missing)}")
        for field in ("userIds", "departmentIds"):  # notification-manager's Receiver takes 200 of each (CRD maxItems)
            if len(getattr(self, field)) > FEISHU_MAX_IDS:
                raise invalid("value", f"{field} lists {len(getattr(self, field))} ids; Feishu's batch message "
                                       f"and notification-manager's Receiver take at most {FEISHU_MAX_IDS}")
        return self
