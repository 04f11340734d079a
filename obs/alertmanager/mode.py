"""Who delivers to the channels: Alertmanager from the whole config obs owns (`secret`), Alertmanager
from AlertmanagerConfig objects the operator merges (`alertmanagerconfig`), or notification-manager,
to which Alertmanager forwards every alert (`notification-manager`, KubeSphere's way)."""

from __future__ import annotations

from obs import codes
from obs.catalog import Catalog, ChannelEntry
from obs.diagnostics import Diagnostics

SECRET, OPERATOR, NOTIFICATION_MANAGER = "secret", "alertmanagerconfig", "notification-manager"
#: notification-manager's operator names the webhook Service `<NotificationManager>-svc` and serves port 19093
NM_PORT = 19093

MISSING_RELAY = codes.define(
    "AM005", "alertmanager/relay-required",
    "A DingTalk, WeCom group-robot or Feishu channel needs a relay when Alertmanager itself delivers, and none is set.")
UNSIGNED_FEISHU = codes.define(
    "AM008", "channel/feishu-signing",
    "A Feishu robot channel with a signing `secret:` is delivered by something that cannot sign its requests "
    "(Alertmanager through PrometheusAlert, ElastAlert 2, a watch, an OpenSearch monitor).")


def mode(catalog: Catalog) -> str:
    """defaults.alertmanager.mode; unset: notification-manager where KubeSphere (which routes its
    Alertmanager to notification-manager) or notification-manager is a target, else secret."""
    chosen = catalog.defaults.alertmanager.mode
    if chosen:
        return chosen
    targets = catalog.project.spec.targets
    return NOTIFICATION_MANAGER if "kubesphere" in targets or "notification-manager" in targets else SECRET


def notification_manager_url(catalog: Catalog) -> str:
    d, ns = catalog.defaults.alertmanager, catalog.defaults.kubernetes.namespace
    return f"http://{d.notificationManager}-svc.{ns}.svc:{NM_PORT}/api/v2/alerts"


def relay(catalog: Catalog, ch: ChannelEntry, diags: Diagnostics) -> str | None:
    """The relay base URL a channel needs in Alertmanager's own delivery, None when it needs none;
    reports AM005 (and returns a URL that points nowhere) when the setting is missing."""
    s, d = ch.spec, catalog.defaults.alertmanager
    if s.type == "dingtalk":
        setting, value, tool = "dingtalkRelay", d.dingtalkRelay, "prometheus-webhook-dingtalk"
    elif s.type == "wecom" and not s.corpId:
        setting, value, tool = "wecomRelay", d.wecomRelay, "PrometheusAlert"
    elif s.type == "feishu":
        setting, value, tool = "feishuRelay", d.feishuRelay, "PrometheusAlert"
        if s.secret is not None:
            diags.error(UNSIGNED_FEISHU, f"feishu channel {ch.name!r} has a signing `secret:`, and Alertmanager "
                        "delivers it through PrometheusAlert, whose request names only the robot URL (`fsurl`): "
                        "Feishu would refuse every unsigned message", s.pos_of("secret") or ch.origin.pos,
                        hint="use the notification-manager target (it signs), or a robot secured by keyword or "
                             "IP allowlist instead of signing")
    else:
        return None
    if value:
        return value.rstrip("/")
    diags.error(MISSING_RELAY, f"{s.type} channel {ch.name!r} needs a relay ({tool}) for Alertmanager to deliver "
                f"it, and defaults.alertmanager.{setting} is not set", ch.spec.pos_of("type") or ch.origin.pos,
                hint=f"set defaults.alertmanager.{setting} to the relay's base URL, or add the notification-manager "
                     "target (it sends DingTalk, WeCom and Feishu natively)", config=True)
    return "https://relay.invalid"
