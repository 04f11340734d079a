"""Field references in a log alert's `summary` and `description`: `OOM in {{ kubernetes.pod_name }}`.

A reference is the field's value in the log line the alert is about (for a `groupBy` alert on one
field, that field is the group that fired). Each target says it its own way: ElastAlert formats
`alert_subject` / `alert_text` with `*_args` by position (`{0}`) and renders webhook payloads with
Jinja; watches and monitors render mustache over their search response. Text without references is
written as it is, so existing summaries keep their meaning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_REF = re.compile(r"\{\{(.*?)\}\}", re.S)
#: a field name as Elasticsearch and ElastAlert's lookup_es_key take it (dots go into objects)
FIELD = re.compile(r"[A-Za-z0-9_@][A-Za-z0-9_@/:\-]*(\.[A-Za-z0-9_@/:\-]+)*")


@dataclass(frozen=True)
class BadReference:
    offset: int  # where `{{` starts in the text
    content: str


def _parts(text: str) -> list[str | tuple[str]]:
    """Literal text and (field,) references, in order."""
    out: list[str | tuple[str]] = []
    at = 0
    for m in _REF.finditer(text):
        if FIELD.fullmatch(m.group(1).strip()):
            out += [text[at:m.start()], (m.group(1).strip(),)]
            at = m.end()
    return [*out, text[at:]]


def fields(*texts: str | None) -> list[str]:
    """Every field the texts reference, first use first."""
    seen: dict[str, None] = {}
    for text in texts:
        for part in _parts(text or ""):
            if isinstance(part, tuple):
                seen.setdefault(part[0])
    return list(seen)


def bad_references(text: str | None) -> list[BadReference]:
    """`{{ … }}` whose content is not a field name (a Prometheus template, an expression, a typo)."""
    return [BadReference(m.start(), m.group(1)) for m in _REF.finditer(text or "")
            if not FIELD.fullmatch(m.group(1).strip())]


def positional(text: str) -> tuple[str, list[str]]:
    """ElastAlert's `alert_subject` / `alert_text` form: `{0}` for each reference (literal braces doubled,
    as str.format reads them) and the `*_args` list of fields."""
    if not fields(text):
        return text, []  # ElastAlert formats only with `*_args`: braces stay as written
    out, args = [], []
    for part in _parts(text):
        if isinstance(part, tuple):
            out.append(f"{{{len(args)}}}")
            args.append(part[0])
        else:
            out.append(part.replace("{", "{{").replace("}", "}}"))
    return "".join(out), args


def render(text: str, value: Callable[[str], str]) -> str:
    """The text with each reference replaced by `value(field)` (a mustache tag, a Jinja expression)."""
    return "".join(value(p[0]) if isinstance(p, tuple) else p for p in _parts(text))


def jinja(field: str, root: str) -> str:
    """A Jinja expression for a field of the match that prints nothing, never fails, when a part is missing."""
    expr = root
    for step in field.split("."):
        expr = f"({expr} or {{}})['{step}']"
    return "{{ " + expr + " }}"


def mustache(root: str, group: str | None, grouped: bool) -> Callable[[str], str]:
    """Mustache tags over a search response at `root` (`ctx.payload`, `ctx.results.0`): for a grouped search
    the fullest group (the one the condition fires for) — its key for the `groupBy` field, else its newest
    line (`top_hits` named `newest`) —, otherwise the newest matching line."""
    bucket = f"{root}.aggregations.groups.buckets.0"

    def tag(field: str) -> str:
        if field == group:
            return "{{" + bucket + ".key}}"
        hits = f"{bucket}.newest.hits" if grouped else f"{root}.hits"
        return "{{" + hits + ".hits.0._source." + field + "}}"
    return tag
