"""A Mimir (or Cortex) ruler's configuration API: the rule groups of a tenant by namespace.

Documented at https://grafana.com/docs/mimir/latest/references/http-api/#ruler (List rule
groups, Set rule group, Delete rule group): GET <prefix> answers YAML (namespace → groups)
and 404 "no rule groups found" for a tenant without any; POST <prefix>/{namespace} takes one
group as YAML and answers 202; DELETE <prefix>/{namespace}/{group} answers 202. The tenant is
the X-Scope-OrgID header the Session sends (the environment's `tenant`).
"""

from __future__ import annotations

from urllib.parse import quote

import yaml

from obs.live.errors import BadResponse, NotFound
from obs.live.http import Session

#: the body of the ruler's 404 for a tenant that has no rule groups (not a wrong URL)
NO_GROUPS = "no rule groups found"


class Ruler:
    def __init__(self, session: Session, path: str = "/prometheus/config/v1/rules") -> None:
        self.session = session
        self.path = "/" + path.strip("/")

    def groups(self) -> dict[str, list[dict]]:
        """namespace → its groups, as the ruler stores them. A 404 is "none" only when it says so:
        any other 404 is a wrong URL or rulesPath, which must not plan to create everything."""
        r = self.session.get(self.path, cache=False, ok=(404,))
        if r.status == 404:
            if NO_GROUPS in r.text:
                return {}
            raise NotFound(self.session.server, f"{self.session.url(self.path)} answered 404: it is not a ruler's "
                           "configuration API (check the URL and rulesPath)", 404)
        try:
            doc = yaml.safe_load(r.text) or {}
        except yaml.YAMLError:
            doc = None
        if not isinstance(doc, dict) or not all(isinstance(v, list) for v in doc.values()):
            raise BadResponse(self.session.server, f"{self.session.url(self.path)} did not answer rule groups by "
                              "namespace (is this the ruler's configuration API?)", r.status)
        return {str(ns): [g for g in groups if isinstance(g, dict)] for ns, groups in doc.items()}

    def set_group(self, namespace: str, body: str) -> None:
        """Create or replace one group of the namespace (its name is in the body)."""
        self.session.post(f"{self.path}/{_seg(namespace)}", data=body.encode("utf-8"),
                          headers={"Content-Type": "application/yaml"})

    def delete_group(self, namespace: str, group: str) -> None:
        self.session.delete(f"{self.path}/{_seg(namespace)}/{_seg(group)}")


def _seg(name: str) -> str:
    """A path segment percent-encoded as the API asks (a / in a name is %2F)."""
    return quote(name, safe="")
