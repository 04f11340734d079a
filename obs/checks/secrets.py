"""Secrets written literally (SPEC §1.1): a secret is `{env: NAME}` or `{secret: {name, key}}`.

Looks at every document as written (obs/v1 and foreign) and at obs.yaml: keys that hold
secrets, and URLs that carry a key. The message never repeats the value.
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
_KEYED_URL = re.compile(
    r"([?&](access_token|token|key|apikey|api_key|sign|signature|secret)=[^&\s]+)"
    r"|hooks\.slack\.com/services/\S+|qyapi\.weixin\.qq\.com/\S*key=|oapi\.dingtalk\.com/robot/send\?\S+"
    r"|//[^/\s:@]+:[^/\s@]+@", re.IGNORECASE)


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, str, Any, Position]]:
    if isinstance(node, PosDict):
        for key, value in node.items():
            where = node.val_pos.get(key, node.pos)
            if isinstance(value, str):
                yield f"{path}.{key}".lstrip("."), str(key), value, where
            else:
                yield from _walk(value, f"{path}.{key}".lstrip("."))
    elif isinstance(node, PosList):
        for i, value in enumerate(node):
            if isinstance(value, str):
                yield f"{path}[{i}]", "", value, node.where(i)
            else:
                yield from _walk(value, f"{path}[{i}]")


def _problem(key: str, value: str) -> str | None:
    if not value.strip() or value.startswith("${"):
        return None
    if key.lower() in SECRET_KEYS:
        return f"'{key}' holds a secret written literally"
    if _KEYED_URL.search(value):
        return "a URL that carries a key or credentials is written literally"
    return None


@check("SE001", "secret/literal", "A token, password or keyed webhook URL is written literally instead of as "
                                  "{env: NAME} or {secret: {name, key}}.")
def literal_secrets(build: Build) -> list[Diagnostic]:
    out = []
    roots = [(d.data, d.file) for d in build.sources.documents]
    if build.project._source is not None:
        roots.append((build.project._source, "obs.yaml"))
    for root, _ in roots:
        for path, key, value, pos in _walk(root):
            problem = _problem(key, value)
            if problem:
                out.append(Diagnostic("SE001", f"{path}: {problem}", pos,
                                      hint="write it as {env: NAME} (read when obs runs) or "
                                           "{secret: {name: N, key: K}} (a Kubernetes Secret)"))
    return out
