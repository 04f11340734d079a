"""SkyWalking OAP's GraphQL query API (POST /graphql, skywalking-query-protocol): whether it
answers, and whether it knows a service by the name its agent reports.

`findService(serviceName:)` and `listServices(layer:)` are the metadata-v2 queries of OAP 9+;
OAP 8 lacks them and answers a GraphQL validation error, so the v1 `searchService(serviceCode:)`
is used there. GraphQL errors come back as HTTP 200 with an `errors` list.
"""

from __future__ import annotations

from typing import Any

from obs.live.clients import preflight
from obs.live.errors import BadResponse
from obs.live.http import Session

TIME_INFO = "query { getTimeInfo { timezone currentTimestamp } }"
FIND = "query ($name: String!) { service: findService(serviceName: $name) { id name } }"
SEARCH = "query ($name: String!) { service: searchService(serviceCode: $name) { id name } }"
LIST = 'query { services: listServices(layer: "GENERAL") { name } }'


class GraphQLError(BadResponse):
    """The OAP understood the HTTP request and refused the query."""


def query(session: Session, text: str, variables: dict[str, Any] | None = None) -> dict:
    body = {"query": text, **({"variables": variables} if variables else {})}
    doc = session.json_of(session.post("/graphql", json_body=body, read=True), "/graphql")
    if not isinstance(doc, dict) or ("data" not in doc and "errors" not in doc):
        raise BadResponse("skywalking", f"{session.url('/graphql')} is not a GraphQL API (is this the OAP's "
                          "query port, 12800?)")
    if doc.get("errors"):
        first = doc["errors"][0]
        message = first.get("message", "?") if isinstance(first, dict) else str(first)
        raise GraphQLError("skywalking", f"the OAP refused a query: {str(message)[:200]}")
    return doc.get("data") or {}


@preflight("skywalking")
def time_info(session: Session) -> dict:
    """getTimeInfo: cheap, in every OAP release since 6, and needs no storage query."""
    return query(session, TIME_INFO).get("getTimeInfo") or {}


class SkyWalking:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._v2: bool | None = None

    def service(self, name: str) -> dict | None:
        """The service the OAP has under this name ({id, name}), or None."""
        if self._v2 is not False:
            try:
                found = query(self.session, FIND, {"name": name}).get("service")
                self._v2 = True
                return found
            except GraphQLError as e:
                if self._v2 or "findService" not in e.message:
                    raise
                self._v2 = False  # OAP 8: no metadata-v2
        return query(self.session, SEARCH, {"name": name}).get("service")

    def names(self) -> list[str]:
        """Names of the GENERAL-layer services (agent-instrumented ones), for did-you-mean;
        empty on an OAP without metadata-v2."""
        if self._v2 is False:
            return []
        services = query(self.session, LIST).get("services") or []
        return sorted(s["name"] for s in services if isinstance(s, dict) and isinstance(s.get("name"), str))
