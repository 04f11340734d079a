"""Secrets written literally (SPEC §1.1): a secret is `{env: NAME}` or `{secret: {name, key}}`.

A value is judged by where it is sent and by what it looks like, never by a key name alone:
a field that hands its value to a receiver as a credential (`password`, `token`,
`routingKey` of a channel…) holds a secret whatever it says, while labels and annotations
are shown to everyone who sees the alert, so `routing_key: myteam` there is a routing label
(Sloth's own examples) and only a value that looks like a credential (a keyed URL, a Slack
or GitHub token, a private key) is reported. The message never repeats the value.

ElastAlert rules kept from before obs have their own rule, LG005 (obs/checks/logs.py), which
uses `literal()` with ElastAlert's expansion of `$NAME` / `${NAME}` references.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from obs.checks import check
from obs.diagnostics import Diagnostic, Position
from obs.load.yamlpos import PosDict, PosList

if TYPE_CHECKING:
    from obs.pipeline import Build

SECRET_KEYS = {
    "password", "passwd", "token", "apikey", "api_key", "secret", "access_token", "routingkey", "routing_key",
    "service_key", "client_secret", "auth_password", "bearer_token", "dingtalk_access_token", "dingtalk_sign",
    "work_wechat_bot_id", "slack_webhook_url", "pagerduty_service_key", "telegram_bot_token",
    "smtp_auth_password", "es_password", "http_post_headers_authorization",
}
#: mappings whose values travel with the alert for people to read (labels), not to a receiver as a credential
SHOWN = {"labels", "annotations", "commonlabels", "commonannotations", "extralabels"}
_KEYED_URL = re.compile(
    r"([?&](access_token|token|key|apikey|api_key|sign|signature|secret)=[^&\s]+)"
    r"|hooks\.slack\.com/services/\S+|qyapi\.weixin\.qq\.com/\S*key=[^&\s]+|oapi\.dingtalk\.com/robot/send\?\S+"
    r"|open\.(?:feishu\.cn|larksuite\.com)/open-apis/bot/(?:v2/)?hook/[^/\s]+"
    r"|discord(?:app)?\.com/api/webhooks/\S+|//[^/\s:@]+:[^/\s@]+@", re.IGNORECASE)
#: credentials recognisable by their form wherever they are written
_CREDENTIAL = re.compile(
    r"\bxox[abposr]-[0-9A-Za-z-]{10,}|\bgh[pousr]_[0-9A-Za-z]{30,}|\bAKIA[0-9A-Z]{16}\b"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----|\beyJ[0-9A-Za-z_-]{8,}\.eyJ[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]+")
#: what ElastAlert 2 expands when it reads a rule file: `os.path.expandvars` over the whole text
#: (elastalert/yaml.py read_yaml), i.e. `$NAME` and `${NAME}`, NAME of ASCII word characters
ENV_REFERENCE = re.compile(r"\$(\w+|\{[^}]*\})", re.ASCII)


def looks_like_credential(value: str) -> str | None:
    """Why `value` reads as a credential whatever field holds it, else None."""
    if _KEYED_URL.search(value):
        return "a URL that carries a key or credentials is written literally"
    if _CREDENTIAL.search(value):
        return "a value that looks like a token or private key is written literally"
    return None


def literal(key: str, value: str, shown: bool, expands_env: bool = False,
            secret_key: Any = None) -> str | None:
    """Why a string value is a secret written literally, or None.

    `shown`: the value is a label or annotation; `expands_env`: the consumer expands `$NAME`
    references itself (ElastAlert 2), so a value made of references holds no secret;
    `secret_key(key)` says whether the field is a credential field (default: SECRET_KEYS)."""
    text = ENV_REFERENCE.sub("", value) if expands_env else value
    if not text.strip() or (not expands_env and value.startswith("${")):
        return None
    is_secret_field = secret_key(key) if secret_key else key.lower() in SECRET_KEYS
    if is_secret_field and not shown:
        return f"'{key}' holds a secret written literally"
    return looks_like_credential(text)


def walk(node: Any, path: str = "", shown: bool = False) -> Iterator[tuple[str, str, Any, Position, bool]]:
    """(path, key, string value, position, shown) for every string under `node`."""
    if isinstance(node, PosDict):
        for key, value in node.items():
            where = node.val_pos.get(key, node.pos)
            inner = shown or str(key).lower() in SHOWN
            if isinstance(value, str):
                yield f"{path}.{key}".lstrip("."), str(key), value, where, shown
            else:
                yield from walk(value, f"{path}.{key}".lstrip("."), inner)
    elif isinstance(node, PosList):
        for i, value in enumerate(node):
            if isinstance(value, str):
                yield f"{path}[{i}]", "", value, node.where(i), shown
            else:
                yield from walk(value, f"{path}[{i}]", shown)


def _strings(node: Any, shown: bool = False, trail: tuple = ()) -> Iterator[tuple[tuple, str, str, Position, bool]]:
    """As walk, but each path kept as a trail (parent trail, step, is an index) and spelt only
    for a finding (`_spelt`): this check visits every string of every document."""
    if isinstance(node, PosDict):
        val_pos = node.val_pos
        for key, value in node.items():
            if isinstance(value, str):
                yield (trail, key, False), str(key), value, val_pos.get(key, node.pos), shown
            elif isinstance(value, (PosDict, PosList)):
                yield from _strings(value, shown or str(key).lower() in SHOWN, (trail, key, False))
    elif isinstance(node, PosList):
        for i, value in enumerate(node):
            if isinstance(value, str):
                yield (trail, i, True), "", value, node.where(i), shown
            elif isinstance(value, (PosDict, PosList)):
                yield from _strings(value, shown, (trail, i, True))


def _spelt(trail: tuple) -> str:
    """The path walk() gives for a trail: `a.b[0].c`."""
    if not trail:
        return ""
    parent, step, index = trail
    path = _spelt(parent)
    return f"{path}[{step}]" if index else f"{path}.{step}".lstrip(".")


@check("SE001", "secret/literal", "A token, password or keyed webhook URL is written literally instead of as "
                                  "{env: NAME} or {secret: {name, key}}.")
def literal_secrets(build: Build) -> list[Diagnostic]:
    out = []
    # ElastAlert rules kept from before obs: LG005, one rule for all their alerter options
    roots = [d.data for d in build.sources.documents if d.format != "elastalert"]
    if build.project._source is not None:
        roots.append(build.project._source)
    for root in roots:
        for trail, key, value, pos, shown in _strings(root):
            problem = literal(key, value, shown)
            if problem:
                out.append(Diagnostic("SE001", f"{_spelt(trail)}: {problem}", pos,
                                      hint="write it as {env: NAME} (read when obs runs) or "
                                           "{secret: {name: N, key: K}} (a Kubernetes Secret)"))
    return out
