"""OpenSearch Notifications channels for the monitors: out/opensearch-notifications/<config id>.json,
each the body of `POST _plugins/_notifications/configs`.

Monitors send to config ids `obs-<channel>` (`obs-alertmanager` in Alertmanager mode, see
obs.logs.channels.monitor_actions); these files define them, with secrets as `${VAR}`
placeholders that `obs apply` fills. An email channel also needs an SMTP account config
(`obs-<channel>-smtp`); its user and password live in the OpenSearch keystore, never here.
The description carries the ownership mark `obs apply` prunes by.
"""

from __future__ import annotations


from obs import jsonindent
from obs.catalog import Catalog, ChannelEntry
from obs.logs.channels import recipients
from obs.logs.secrets import placeholder
from obs.targets import Artifact

FOLDER = "opensearch-notifications"
PAGERDUTY = "https://events.pagerduty.com/v2/enqueue"


def description(project: str, channel: str) -> str:
    """The ownership mark: `obs apply` treats a config whose description starts so as this project's."""
    return f"obs project {project}, channel {channel} (managed by obs apply: edits are overwritten)"


def _config(catalog: Catalog, name: str, config_type: str, body: dict) -> dict:
    return {"name": f"obs {catalog.name} {name}", "description": description(catalog.name, name),
            "config_type": config_type, "is_enabled": True, config_type: body}


def _webhook(url: str) -> dict:
    return {"url": url, "header_params": {"Content-Type": "application/json"}, "method": "POST"}


def channel_configs(catalog: Catalog, ch: ChannelEntry) -> list[tuple[str, dict]]:
    """(config id, config) for one channel: the channel, and before it the SMTP account an email channel uses."""
    s, cid = ch.spec, f"obs-{ch.name}"
    if s.type == "slack":
        return [(cid, _config(catalog, ch.name, "slack", {"url": placeholder(s.url)}))]
    if s.type == "email":
        host, _, port = (s.smarthost or "localhost:25").partition(":")
        port_no = int(port) if port.isdigit() else 25
        method = "ssl" if port_no == 465 else "none" if port_no == 25 else "start_tls"
        sender = s.sender or catalog.defaults.alertmanager.smtpFrom or f"alertmanager@{host}"
        account = _config(catalog, f"{ch.name}-smtp", "smtp_account",
                          {"host": host, "port": port_no, "method": method, "from_address": sender})
        email = _config(catalog, ch.name, "email", {"email_account_id": f"{cid}-smtp",
                                                    "recipient_list": [{"recipient": r} for r in s.to],
                                                    "email_group_id_list": []})
        return [(f"{cid}-smtp", account), (cid, email)]
    url = PAGERDUTY if s.type == "pagerduty" else placeholder(s.url)
    return [(cid, _config(catalog, ch.name, "webhook", _webhook(url)))]


def compile_channels(catalog: Catalog, target: str, alerts: list) -> list[Artifact]:
    """One body per config the monitors of `alerts` send to, in config-id order."""
    configs: dict[str, tuple[dict, list]] = {}
    hosts = catalog.defaults.logs.alertmanager
    for entry in alerts:
        if hosts:
            configs.setdefault("obs-alertmanager", (_config(catalog, "alertmanager", "webhook", _webhook(
                f"{hosts[0].rstrip('/')}/api/v2/alerts")), []))[1].append(entry.origin)
            continue
        for ch in recipients(catalog, entry):
            for cid, config in channel_configs(catalog, ch):
                configs.setdefault(cid, (config, [ch.origin]))
    out = []
    for cid, (config, sources) in sorted(configs.items()):
        text = jsonindent.dumps({"config_id": cid, "config": config}, sort_keys=True) + "\n"
        out.append(Artifact.text(f"{FOLDER}/{cid}.json", text, target, sources))
    return out
