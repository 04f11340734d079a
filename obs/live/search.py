"""Elasticsearch and OpenSearch, read-only: who answers (distribution, version), what an index
expression resolves to, the fields of those indices (`_field_caps`) and whether a query is valid
there (`_validate/query?explain`).

Plain HTTP through the one Session, not the official clients: elasticsearch-py refuses a server
of another major and any OpenSearch, and obs meets Elasticsearch 7.17, 8 and 9 and OpenSearch 2
(KubeSphere ships OpenSearch 2 and, on older installs, Elasticsearch 7). Where those servers
answer differently, it is smoothed here, once (docs/validate.md lists the differences).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from obs.live.clients import preflight
from obs.live.errors import BadResponse, NotFound, Rejected, Unauthorized
from obs.live.http import Session

#: what a search server's root answers for each distribution
ELASTICSEARCH, OPENSEARCH = "elasticsearch", "opensearch"


@dataclass(frozen=True)
class ServerInfo:
    distribution: str | None  # elasticsearch | opensearch | None (not told)
    version: tuple[int, ...] = ()
    number: str = ""

    def at_least(self, *version: int) -> bool:
        return bool(self.version) and self.version >= version

    @property
    def has_resolve(self) -> bool:
        """`_resolve/index`: Elasticsearch since 7.9, every OpenSearch; unknown versions are asked."""
        if not self.version:
            return True
        return self.distribution == OPENSEARCH or self.at_least(7, 9)

    @property
    def has_include_unmapped(self) -> bool:
        """`_field_caps?include_unmapped`: Elasticsearch since 7.2, every OpenSearch."""
        return not self.version or self.distribution == OPENSEARCH or self.at_least(7, 2)

    def describe(self) -> str:
        name = {ELASTICSEARCH: "Elasticsearch", OPENSEARCH: "OpenSearch"}.get(self.distribution or "", "a server")
        return f"{name} {self.number}".strip()


@dataclass(frozen=True)
class IndexInfo:
    name: str
    closed: bool = False


@dataclass(frozen=True)
class Resolution:
    """What an index expression names: concrete indices, and the aliases and data streams among them."""

    indices: tuple[IndexInfo, ...] = ()
    aliases: tuple[str, ...] = ()
    data_streams: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.indices or self.aliases or self.data_streams)

    @property
    def open(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.indices if not i.closed)


@dataclass(frozen=True)
class FieldCap:
    """One field over the indices asked: its type per group of indices (a field mapped differently in
    different indices has several), and the indices where it is not mapped at all."""

    name: str
    #: type → (searchable, aggregatable, indices of that type or None for all)
    types: dict[str, tuple[bool, bool, tuple[str, ...] | None]]
    unmapped: tuple[str, ...] = ()

    @property
    def mapped_types(self) -> list[str]:
        return sorted(self.types)

    def indices_of(self, type_: str, every: tuple[str, ...]) -> tuple[str, ...]:
        got = self.types[type_][2]
        return got if got is not None else tuple(i for i in every if i not in self.unmapped)


@dataclass(frozen=True)
class FieldCaps:
    indices: tuple[str, ...]
    fields: dict[str, FieldCap] = field(default_factory=dict)

    def get(self, name: str) -> FieldCap | None:
        return self.fields.get(name)


@dataclass(frozen=True)
class Validation:
    """`_validate/query?explain`: valid overall, and per index either the rewritten query or the error."""

    valid: bool
    error: str | None = None
    #: (index, valid, explanation or error)
    explanations: tuple[tuple[str, bool, str], ...] = ()

    def invalid_in(self) -> list[tuple[str, str]]:
        return [(index, text) for index, ok, text in self.explanations if not ok]

    def unmapped(self) -> set[str]:
        """Fields every index reports as unmapped in the rewritten query (a query_string naming a
        field that does not exist silently matches nothing: `MatchNoDocsQuery("unmapped fields [x]")`)."""
        found: set[str] | None = None
        for _index, ok, text in self.explanations:
            names = {n.strip() for m in _UNMAPPED.finditer(text) for n in m.group(1).split(",") if n.strip()}
            found = names if found is None else found & names
            if not ok:
                return set()
        return found or set()


_UNMAPPED = re.compile(r'unmapped fields? \[([^\]]*)\]')


def path_of(expression: str) -> str:
    """An index expression as a URL path segment (wildcards, commas, `-` exclusions, date math)."""
    return quote(expression, safe="*,:-_.")


class SearchClient:
    """Read-only API of one Elasticsearch or OpenSearch server; every read is cached by the Session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._info: ServerInfo | None = None

    @property
    def server(self) -> str:
        return self.session.server

    def use_info(self, info: ServerInfo | None) -> None:
        """Take what the preflight learnt, so the version is asked once per run."""
        if isinstance(info, ServerInfo):
            self._info = info

    def info(self) -> ServerInfo:
        """Distribution and version from `GET /`; the minimal Elasticsearch 8/9 distributions have no
        root endpoint (405) and a read-only user may not see it (403): then `_nodes/_local` and the
        `X-Elastic-Product` header every Elasticsearch since 7.14 sends tell the same."""
        if self._info is None:
            self._info = self._root() or self._nodes() or ServerInfo(None)
        return self._info

    def _optional(self, path: str, params: dict | None = None):
        """A GET that may be missing (404/405) or forbidden to this key (403): None then."""
        try:
            r = self.session.get(path, params, ok=(404, 405))
        except Unauthorized as e:
            if e.status != 403:
                raise
            return None
        return r if r.status < 300 else None

    def _root(self) -> ServerInfo | None:
        r = self._optional("/")
        if r is None:
            return None
        doc = self.session.json_of(r, "/")
        version = doc.get("version") if isinstance(doc, dict) else None
        if not isinstance(version, dict) or not isinstance(version.get("number"), str):
            raise BadResponse(self.server, f"{self.session.url('/')} did not answer as Elasticsearch or OpenSearch "
                              "does (no version.number): is this the right URL?")
        dist = OPENSEARCH if version.get("distribution") == "opensearch" else ELASTICSEARCH
        return _info(dist, version["number"])

    def _nodes(self) -> ServerInfo | None:
        r = self._optional("/_nodes/_local", {"filter_path": "nodes.*.version"})
        if r is None:
            return None
        doc = self.session.json_of(r, "/_nodes/_local")
        nodes = doc.get("nodes") if isinstance(doc, dict) else None
        numbers = [n.get("version") for n in nodes.values() if isinstance(n, dict)] if isinstance(nodes, dict) else []
        if not numbers or not isinstance(numbers[0], str):
            return None
        product = {k.lower(): v for k, v in r.headers.items()}.get("x-elastic-product")
        return _info(ELASTICSEARCH if product == "Elasticsearch" else OPENSEARCH, numbers[0])

    def resolve(self, expression: str) -> Resolution:
        """The indices, aliases and data streams an expression names (closed indices marked)."""
        if not self.info().has_resolve:
            caps = self.field_caps(expression)
            return Resolution(tuple(IndexInfo(i) for i in caps.indices))
        # a concrete name that does not exist: 404 on Elasticsearch 8+, an empty answer on 7 and OpenSearch
        r = self.session.get(f"/_resolve/index/{path_of(expression)}", {"expand_wildcards": "all"}, ok=(404,))
        if r.status == 404:
            return Resolution()
        doc = self._object(r, "_resolve/index")
        indices = tuple(IndexInfo(i["name"], "closed" in (i.get("attributes") or ()))
                        for i in doc.get("indices") or () if isinstance(i, dict) and "name" in i)
        return Resolution(indices, _names(doc.get("aliases")), _names(doc.get("data_streams")))

    def field_caps(self, expression: str) -> FieldCaps:
        """Every field of the indices an expression names, with its types, searchable, aggregatable."""
        params = {"fields": "*", "ignore_unavailable": "true", "allow_no_indices": "true"}
        if self.info().has_include_unmapped:
            params["include_unmapped"] = "true"
        try:
            r = self.session.get(f"/{path_of(expression)}/_field_caps", params)
        except NotFound:
            return FieldCaps(())
        doc = self._object(r, "_field_caps")
        every = tuple(doc.get("indices") or ())
        fields = {}
        for name, by_type in (doc.get("fields") or {}).items():
            if not isinstance(by_type, dict):
                continue
            types, unmapped = {}, ()
            for type_, cap in by_type.items():
                if not isinstance(cap, dict):
                    continue
                where = tuple(cap["indices"]) if isinstance(cap.get("indices"), list) else None
                if type_ == "unmapped":
                    unmapped = where or ()
                    continue
                types[type_] = (bool(cap.get("searchable")), bool(cap.get("aggregatable")), where)
            if types:
                fields[name] = FieldCap(name, types, unmapped)
        return FieldCaps(every, fields)

    def validate(self, expression: str, query: dict) -> Validation:
        """Whether `query` (query DSL) is valid on the indices an expression names; a query the server
        refuses outright (400) is invalid too, with its reason."""
        try:
            r = self.session.post(f"/{path_of(expression)}/_validate/query", {"explain": "true"},
                                  json_body={"query": query}, read=True)
        except Rejected as e:
            return Validation(False, reason(e.body) or e.message)
        doc = self._object(r, "_validate/query")
        explanations = tuple((str(x.get("index", "?")), bool(x.get("valid")),
                              str(x.get("explanation") if x.get("valid") else reason(str(x.get("error", "")))))
                             for x in doc.get("explanations") or () if isinstance(x, dict))
        error = doc.get("error")
        return Validation(bool(doc.get("valid")), reason(error) if isinstance(error, str) else None, explanations)

    def search(self, expression: str, body: dict) -> dict:
        """`_search` on the indices an expression names (missing ones ignored): hits and aggregations."""
        r = self.session.post(f"/{path_of(expression)}/_search", {"ignore_unavailable": "true",
                                                                  "allow_no_indices": "true"},
                              json_body=body, read=True)
        return self._object(r, "_search")

    def _object(self, r, what: str) -> dict:
        doc = self.session.json_of(r, what)
        if not isinstance(doc, dict):
            raise BadResponse(self.server, f"{what} did not answer a JSON object")
        return doc


def _info(distribution: str, number: str) -> ServerInfo:
    parts = tuple(int(p) for p in re.findall(r"\d+", number)[:3])
    return ServerInfo(distribution, parts, number)


def _names(items: Any) -> tuple[str, ...]:
    return tuple(i["name"] for i in items or () if isinstance(i, dict) and isinstance(i.get("name"), str))


_INDEX_PREFIX = re.compile(r"^\[[^\]/]*/[^\]]*\]\s*")
_QUALIFIED = re.compile(r"^(?:[a-z_][a-z0-9_]*\.)+[A-Za-z]+(?:Exception|Error):\s*")
_BRACKETED = re.compile(r"^[A-Z][A-Za-z]*(?:Exception|Error)\[")


def reason(text: str | None) -> str:
    """The readable part of a validate error, the same on every version: `[idx/uuid] ...QueryShard
    Exception[Failed to parse query [x]]; nested: ParseException[Cannot parse 'x': Encountered "<EOF>"
    at line 1, column 10.` (7.x) or `... ParseException: Cannot parse ...` (8+) → `Cannot parse 'x':
    Encountered "<EOF>" at line 1, column 10.`"""
    if not text:
        return ""
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("error"), dict):
        root = (doc["error"].get("root_cause") or [doc["error"]])[0]
        text = str(root.get("reason") or doc["error"].get("reason") or text)
    parts = [p.strip() for p in re.split(r";\s*(?:nested:\s*)?", text.strip().split("\n")[0]) if p.strip()]
    if not parts:
        return ""
    best = next((p for p in parts if "Cannot parse" in p), parts[0])
    best = _INDEX_PREFIX.sub("", best)
    opened = 0
    while True:
        if m := _QUALIFIED.match(best):
            best = best[m.end():]
        elif m := _BRACKETED.match(best):
            best, opened = best[m.end():], opened + 1
        else:
            break
    for _ in range(opened):
        best = best[:-1] if best.endswith("]") else best
    return best.strip()[:300]


def _preflight(session: Session) -> ServerInfo:
    # the same client the checks use (Clients keeps one per server), so its answer is reused
    return SearchClient(session).info()


preflight(ELASTICSEARCH)(_preflight)
preflight(OPENSEARCH)(_preflight)
