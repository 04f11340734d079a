"""AlertmanagerConfig (monitoring.coreos.com/v1alpha1) per team: out/kubernetes/alertmanagerconfig-<team>.yaml.

prometheus-operator merges these into the config of an Alertmanager whose
`alertmanagerConfigSelector` picks them, so obs adds its routes instead of owning the whole
alertmanager-main Secret. Each object holds one team node of obs's route tree (obs.alertmanager.routes)
and the receivers it names; channels matching alerts of no known team go to `<project>-other-teams`.
Secret values are SecretKeySelectors: a `{secret: …}` reference's own Secret, else a key of the
object's `-env` Secret whose `${VAR}` placeholders `obs apply` fills. Checked against the CRD of
operator v0.82.2 (tests/schemas/alertmanagerconfig.json).
"""

from __future__ import annotations

import json
import re

from obs.alertmanager.mode import relay
from obs.alertmanager.receivers import default_sender, smtp_user
from obs.alertmanager.routes import matcher, route_tree, sources
from obs.catalog import Catalog, ChannelEntry
from obs.diagnostics import Diagnostics
from obs.notification.credentials import SecretKeyRefs
from obs.targets import Artifact
from obs.targets.k8s import dns_name, metadata
from obs.yamlout import dump_all

API_VERSION = "monitoring.coreos.com/v1alpha1"
NO_RECEIVER = "obs-none"
_MATCHER = re.compile(r'^([A-Za-z_][A-Za-z0-9_]*)(=~|!~|!=|=)(".*")$')
_ROUTE_KEYS = {"receiver": "receiver", "group_by": "groupBy", "group_wait": "groupWait",
               "group_interval": "groupInterval", "repeat_interval": "repeatInterval", "continue": "continue"}


def _matchers(texts: list[str]) -> list[dict]:
    out = []
    for text in texts:
        name, op, value = _MATCHER.match(text).groups()
        out.append({"name": name, "value": json.loads(value), "matchType": op})
    return out


def _route(node: dict, used: set[str]) -> dict:
    out = {_ROUTE_KEYS[k]: v for k, v in node.items() if k in _ROUTE_KEYS}
    if "receiver" in out:
        used.add(out["receiver"])
    if node.get("matchers"):
        out["matchers"] = _matchers(node["matchers"])
    if node.get("routes"):
        out["routes"] = [_route(r, used) for r in node["routes"]]
    return out


def _receiver(catalog: Catalog, ch: ChannelEntry, refs: SecretKeyRefs, literals: dict[str, str],
              diags: Diagnostics) -> dict:
    s, out = ch.spec, {"name": ch.name}
    resolved = {"sendResolved": s.sendResolved}

    def secret(key: str, value) -> dict:  # a literal the user committed goes into the object's own Secret
        if isinstance(value, str):
            literals[key] = value
            return {"name": refs.env_secret, "key": key}
        return refs.selector(value)
    base = relay(catalog, ch, diags)
    if s.type == "dingtalk":
        out["webhookConfigs"] = [{**resolved, "url": f"{base}/dingtalk/{ch.name}/send"}]
    elif s.type == "wecom" and s.corpId:
        conf = {**resolved, "corpID": s.corpId, "agentID": s.agentId, "apiSecret": refs.selector(s.apiSecret)}
        for key, value in (("toUser", s.toUser), ("toParty", s.toParty), ("toTag", s.toTag)):
            if value:
                conf[key] = value
        out["wechatConfigs"] = [conf if (s.toUser or s.toParty or s.toTag) else {**conf, "toUser": "@all"}]
    elif s.type in ("wecom", "feishu"):  # PrometheusAlert: the robot URL is a query parameter of the relay's
        kind, param = ("wx", "wxurl") if s.type == "wecom" else ("fs", "fsurl")
        robot = s.url if isinstance(s.url, str) else "${" + refs.selector(s.url)["key"] + "}"
        literals[f"{ch.name}-url"] = f"{base}/prometheusalert?type={kind}&tpl=prometheus-{kind}&{param}={robot}"
        out["webhookConfigs"] = [{**resolved, "urlSecret": {"name": refs.env_secret, "key": f"{ch.name}-url"}}]
    elif s.type == "webhook":
        out["webhookConfigs"] = [{**resolved, **({"url": s.url} if isinstance(s.url, str)
                                                 else {"urlSecret": refs.selector(s.url)})}]
    elif s.type == "slack":
        out["slackConfigs"] = [{**resolved, "apiURL": secret(f"{ch.name}-slack-url", s.url),
                                **({"channel": s.channel} if s.channel else {})}]
    elif s.type == "pagerduty":
        out["pagerdutyConfigs"] = [{**resolved, "routingKey": refs.selector(s.routingKey)}]
    elif s.type == "email":
        d = catalog.defaults.alertmanager
        conf = {**resolved, "to": ", ".join(s.to)}
        sender = s.sender or d.smtpFrom or default_sender(s.smarthost)
        conf.update({"from": sender} if sender else {})
        conf.update({"smarthost": s.smarthost} if s.smarthost else {})
        if s.password is not None:
            conf.update({"authUsername": smtp_user(s, d) or "", "authPassword": refs.selector(s.password)})
        elif s.username:
            conf["authUsername"] = s.username
        out["emailConfigs"] = [conf]
    return out


def alertmanager_configs(catalog: Catalog, diags: Diagnostics, header: str) -> list[Artifact]:
    plan = sources(catalog)
    tree = route_tree(catalog, plan, NO_RECEIVER)
    teams = plan.teams()
    nodes = [(team, node) for team, node in zip(teams, tree.get("routes", [])[:len(teams)])]
    rest = tree.get("routes", [])[len(teams):]
    if rest:
        others = [matcher("team", "|".join(teams), "!~")] if teams else []
        nodes.append(("other-teams", {"matchers": others, "routes": rest}))
    out = []
    for team, node in nodes:
        name = dns_name(catalog.name, team)
        refs, literals, used = SecretKeyRefs(f"{name}-env", catalog.defaults.kubernetes.namespace), {}, set()
        route = {"receiver": NO_RECEIVER, **_route(node, used)}
        receivers = [{"name": NO_RECEIVER}] + [_receiver(catalog, catalog.channels[n], refs, literals, diags)
                                               for n in sorted(used - {NO_RECEIVER})]
        docs = [{"apiVersion": API_VERSION, "kind": "AlertmanagerConfig", "metadata": metadata(catalog, name),
                 "spec": {"route": route, "receivers": receivers}}]
        data = {**refs.env_data(), **literals}
        if data:
            docs.append({"apiVersion": "v1", "kind": "Secret", "metadata": metadata(catalog, refs.env_secret),
                         "type": "Opaque", "stringData": dict(sorted(data.items()))})
        origins = [catalog.channels[n].origin for n in sorted(used - {NO_RECEIVER})]
        out.append(Artifact.text(f"kubernetes/alertmanagerconfig-{dns_name(team)}.yaml", dump_all(docs, header),
                                 "alertmanager", origins))
    return out
