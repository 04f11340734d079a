"""Log alerts against Elasticsearch and OpenSearch: every index expression resolves, every field a
compiled alert names exists with a type that fits its use, every query is valid on those indices.

Each passes every static check and fails silently in production: a pattern that matches no index
never fires, a Lucene query on a field that does not exist matches nothing, a terms aggregation on
a text field and an avg() of a keyword fail at run time. Which alert goes where: watches to
`elasticsearch`, monitors to `opensearch`, ElastAlert rules to `elasticsearch` when the environment
has one, else to `opensearch` (docs/validate.md).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from obs import codes
from obs.diagnostics import Diagnostic, Severity
from obs.live import live_check
from obs.live.checks.search_fields import FIELD_MISSING, Positions, Scope, check_field, did_you_mean
from obs.live.search import ELASTICSEARCH, OPENSEARCH, FieldCaps, SearchClient, ServerInfo
from obs.logs.uses import Asks, Query, from_artifact

INDEX = codes.define("LV042", "search/index-pattern",
                     "A log alert's index expression resolves to no open index, alias or data stream.")
QUERY = codes.define("LV045", "search/query-invalid",
                     "A log alert's query, filter or match: is not valid on the server (`_validate/query`).")
SERVER_KIND = codes.define("LV046", "search/server-kind",
                           "The `elasticsearch:` entry of an environment answers as OpenSearch, or the reverse.")

#: target → the server its searches run on; ElastAlert speaks to either (server_of)
_TARGET_SERVER = {"watcher": ELASTICSEARCH, "opensearch-monitor": OPENSEARCH}
_FOLDER = {"elastalert/": "elastalert", "watcher/": "watcher", "opensearch/": "opensearch-monitor"}


@live_check("LV040", "search/elasticsearch", "Log alerts of the elastalert and watcher targets against Elasticsearch: "
            "index expressions resolve, fields exist with fitting types, queries are valid.",
            servers=(ELASTICSEARCH,))
def elasticsearch(build, clients) -> Iterable[Diagnostic]:
    return run(build, clients, ELASTICSEARCH)


@live_check("LV041", "search/opensearch", "Log alerts of the opensearch-monitor target (and elastalert, where the "
            "environment has no elasticsearch) against OpenSearch: the same checks.", servers=(OPENSEARCH,))
def opensearch(build, clients) -> Iterable[Diagnostic]:
    return run(build, clients, OPENSEARCH)


def server_of(target: str, defined: set[str]) -> str | None:
    if target == "elastalert":
        return ELASTICSEARCH if ELASTICSEARCH in defined else OPENSEARCH if OPENSEARCH in defined else None
    return _TARGET_SERVER.get(target)


def asks_for(build, server: str, defined: set[str]) -> list[Asks]:
    """The compiled log alerts whose searches run on `server`, in output order."""
    by_origin = {(e.origin, t): e for e in build.catalog.log_alerts for t in e.targets}
    out = []
    for artifact in build.artifacts:
        target = next((t for prefix, t in _FOLDER.items() if artifact.path.startswith(prefix)), None)
        if target is None or server_of(target, defined) != server or len(artifact.sources) != 1:
            continue
        entry = by_origin.get((artifact.sources[0], target))
        asks = from_artifact(entry, target, artifact.content) if entry is not None else None
        if asks is not None:
            out.append(asks)
    return out


def run(build, clients, server: str) -> list[Diagnostic]:
    client: SearchClient = clients.client(server, SearchClient)
    client.use_info(clients.status(server).info)
    info = client.info()
    found: dict[tuple, Diagnostic] = {}

    def add(d: Diagnostic) -> None:
        found.setdefault((d.code, d.pos, d.message), d)

    kind = _kind(server, info, clients.endpoint(server).pos)
    if kind is not None:
        add(kind)
    positions = Positions(build.root)
    # one alert after another: the Session asks each index expression and query once (cached), and
    # the first failing request ends the check instead of every alert asking a broken server again
    for asks in asks_for(build, server, set(clients.env.servers)):
        for d in check_alert(asks, client, server, positions):
            add(d)
    return list(found.values())


def _kind(server: str, info: ServerInfo, pos) -> Diagnostic | None:
    if info.distribution is None or info.distribution == server:
        return None
    needs = "watches need Elasticsearch's Watcher" if server == ELASTICSEARCH else \
        "monitors need OpenSearch's Alerting plugin"
    return Diagnostic(SERVER_KIND, f"{server}: the server answers as {info.describe()}; {needs}", pos,
                      Severity.WARNING, hint=f"name it `{info.distribution}:` in obs.yaml if that is what it is")


def check_alert(asks: Asks, client: SearchClient, server: str, positions: Positions) -> Iterable[Diagnostic]:
    entry = asks.entry
    expression = ",".join(p.strip() for p in asks.index.split(",") if p.strip())
    label = expression if entry.spec.index is not None or entry.raw is not None else \
        f"{expression} (defaults.logs.index)"
    scope = Scope(asks, client, server, positions, expression, label)
    where = positions.of(asks, "raw:index" if entry.raw is not None else "index")
    parts = [p for p in expression.split(",") if not p.startswith("-")]  # `-old-*` only narrows the others
    resolved = {p: client.resolve(p) for p in parts}
    if all(r.empty for r in resolved.values()):
        near = _near_index(client, parts[0]) if parts else None
        yield Diagnostic(INDEX, f"{scope.head}: index {label!r} resolves to no index, alias or data stream on "
                         f"{server}" + (f"; did you mean {near!r}?" if near else ""), where,
                         hint="the alert would search nothing and never fire")
        return
    for part, r in resolved.items():
        if r.empty and len(parts) > 1:
            yield Diagnostic(INDEX, f"{scope.head}: {part!r} of index {label!r} resolves to nothing on {server}",
                             where, Severity.WARNING)
    closed = sorted({i.name for r in resolved.values() for i in r.indices if i.closed})
    if closed and not any(r.open or r.aliases or r.data_streams for r in resolved.values()):
        yield Diagnostic(INDEX, f"{scope.head}: index {label!r} resolves only to closed indices on {server} "
                         f"({_few(closed)})", where, hint="a search skips closed indices")
        return
    caps = client.field_caps(expression)
    if caps.indices:
        for role, use in asks.uses:
            yield from check_field(scope, role, use, caps)
    for query in asks.queries:
        yield from _check_query(scope, query, caps)


def _check_query(scope: Scope, query: Query, caps: FieldCaps) -> Iterable[Diagnostic]:
    """`_validate/query?explain` on the alert's indices; a valid query whose rewritten form says a
    field is unmapped everywhere is a missing field the field walk could not name."""
    what = {"query": "the query", "filter": "the filter", "match": "match:"}.get(query.role, query.role[4:])
    where = scope.positions.of(scope.asks, query.role)
    v = scope.client.validate(scope.expression, query.clause)
    if v.error is not None:
        yield Diagnostic(QUERY, f"{scope.head}: {what} is not valid on {scope.server}: {v.error}", where)
        return
    bad = v.invalid_in()
    if bad:
        within = scope.label if len(bad) == len(v.explanations) else \
            f"{len(bad)} of {len(v.explanations)} indices of {scope.label} ({_few([i for i, _ in bad])})"
        yield Diagnostic(QUERY, f"{scope.head}: {what} is not valid in {within} on {scope.server}: {bad[0][1]}",
                         where)
        return
    for name in sorted(v.unmapped() - scope.missing):
        if name.startswith("_") or caps.get(name) is not None:
            continue
        scope.missing.add(name)
        near = did_you_mean(name, caps)
        yield Diagnostic(FIELD_MISSING, f"{scope.head}: field {name!r} ({what}) does not exist in {scope.label} on "
                         f"{scope.server}" + (f"; did you mean {near!r}?" if near else ""),
                         scope.positions.of(scope.asks, query.role, name),
                         hint="a query on a field that does not exist matches nothing")


def _near_index(client: SearchClient, part: str) -> str | None:
    """A pattern or name like `part` that does resolve: `ks-logstash-logs-*` → `ks-logstash-log-*`."""
    everything = client.resolve("*")
    names = [i.name for i in everything.indices] + list(everything.aliases) + list(everything.data_streams)
    names = [n for n in names if not n.startswith(".") or part.startswith(".")]
    if "*" not in part:
        near = difflib.get_close_matches(part, names, n=1, cutoff=0.75)
        return near[0] if near else None
    prefix = part.split("*")[0]
    heads = sorted({n[:len(prefix)] for n in names if len(n) >= len(prefix)}
                   | {n.rsplit("-", 1)[0] + "-" for n in names})
    near = difflib.get_close_matches(prefix, heads, n=1, cutoff=0.75)
    return near[0] + part[len(prefix):] if near and near[0] != prefix else None


def _few(names: list[str], n: int = 3) -> str:
    return ", ".join(names[:n]) + (f" and {len(names) - n} more" if len(names) > n else "")
