"""Reloading Prometheus and Alertmanager after their files changed, and reading back what they
loaded: Prometheus `/-/reload`, `/api/v1/rules`, `/api/v1/status/runtimeinfo`; Alertmanager
`/-/reload` and `/api/v2/status`. Reads here are never cached: apply reads again after it wrote.
"""

from __future__ import annotations

from typing import Any

from obs.live.errors import BadResponse, LiveError, Unauthorized, Unsupported
from obs.live.http import Session


def _data(session: Session, path: str) -> Any:
    doc = session.get_json(path, cache=False)
    if not isinstance(doc, dict) or doc.get("status") != "success" or "data" not in doc:
        raise BadResponse(session.server, f"{path} did not answer as the Prometheus API does (is this the right URL?)")
    return doc["data"]


def _reload(session: Session, product: str, flag: str | None) -> None:
    try:
        session.post("/-/reload")
    except Unauthorized as e:
        if flag and "lifecycle" in e.body.lower():
            raise Unsupported(session.server, f"{product} refuses /-/reload: it was started without {flag}",
                              e.status, e.body) from None
        raise
    except LiveError as e:
        e.message = f"{product} refused the reload: {_reason(e)}"
        raise


def _reason(e: LiveError) -> str:
    body = e.body.strip().splitlines()
    return body[0][:500] if body else e.message


class PrometheusLifecycle:
    def __init__(self, session: Session) -> None:
        self.session = session

    def groups(self) -> list[dict]:
        data = _data(self.session, "/api/v1/rules")
        groups = data.get("groups") if isinstance(data, dict) else None
        if not isinstance(groups, list):
            raise BadResponse(self.session.server, "/api/v1/rules answered without groups")
        return [g for g in groups if isinstance(g, dict)]

    def runtime(self) -> dict:
        data = _data(self.session, "/api/v1/status/runtimeinfo")
        return data if isinstance(data, dict) else {}

    def reload(self) -> None:
        _reload(self.session, "Prometheus", "--web.enable-lifecycle")


class AlertmanagerLifecycle:
    def __init__(self, session: Session) -> None:
        self.session = session

    def loaded_config(self) -> str:
        """The configuration Alertmanager runs, as it prints it (`config.original`: defaults filled in,
        some secrets shown as <secret>)."""
        doc = self.session.get_json("/api/v2/status", cache=False)
        original = doc.get("config", {}).get("original") if isinstance(doc, dict) else None
        if not isinstance(original, str):
            raise BadResponse(self.session.server, "/api/v2/status answered without config.original "
                              "(is this the right URL?)")
        return original

    def reload(self) -> None:
        _reload(self.session, "Alertmanager", None)
