"""Reading dashboard JSON: every panel (rows included), every Prometheus query, and the
PromQL Grafana would send once its variables are filled in — for checks and tests alike."""

from __future__ import annotations

import re
from collections.abc import Iterator

import promql_parser

#: Angular panels: off by default since Grafana 11, gone in 12 — with their current replacement
ANGULAR = {"graph": "timeseries", "singlestat": "stat", "table-old": "table",
           "grafana-piechart-panel": "piechart", "grafana-worldmap-panel": "geomap"}
#: the panel types obs's own templates may use
CURRENT = {"timeseries", "stat", "gauge", "bargauge", "table", "text", "logs", "row"}

_NUMBER_VARS = re.compile(r"\$__(?:range_s|range_ms|interval_ms)\b")
_DURATION_VARS = re.compile(r"\$__(?:rate_interval|interval|range|auto)\b")
_VARIABLE = re.compile(r"\$\{[^}]+\}|\$[A-Za-z_]\w*|\[\[[^\]]+\]\]")
SAMPLE = "5m"


def panels(data: dict) -> Iterator[dict]:
    """Every panel, those inside rows (collapsed `panels` or the legacy `rows`) included."""
    stack = [p for p in data.get("panels") or [] if isinstance(p, dict)]
    for row in data.get("rows") or []:
        if isinstance(row, dict):
            stack += [p for p in row.get("panels") or [] if isinstance(p, dict)]
    while stack:
        panel = stack.pop(0)
        yield panel
        stack += [p for p in panel.get("panels") or [] if isinstance(p, dict)]


def queries(data: dict) -> Iterator[tuple[dict, dict]]:
    """(panel, target) for every target with a PromQL `expr`."""
    for panel in panels(data):
        for target in panel.get("targets") or []:
            if isinstance(target, dict) and isinstance(target.get("expr"), str) and target["expr"].strip():
                yield panel, target


_NAME = re.compile(r"^\$\{(\w+)(?::[^}]*)?\}$|^\$(\w+)$|^\[\[(\w+)(?::[^\]]*)?\]\]$")
_USES = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)(?::[^\]]*)?\]\]")


def variables(data: dict) -> dict[str, dict]:
    """The dashboard's template variables by name."""
    listed = (data.get("templating") or {}).get("list") if isinstance(data.get("templating"), dict) else None
    return {v["name"]: v for v in listed or [] if isinstance(v, dict) and isinstance(v.get("name"), str)}


def variable_name(text: str) -> str | None:
    """`x` of `$x`, `${x}`, `${x:fmt}` or `[[x]]` when that is the whole text, else None."""
    m = _NAME.match(text)
    return next((g for g in m.groups() if g), None) if m else None


def variables_used(text: str) -> set[str]:
    """Names of the variables a query uses, Grafana's built-ins (`$__range`…) left out."""
    return {n for m in _USES.finditer(text) if not (n := next(g for g in m.groups() if g)).startswith("__")}


def resolve_datasource(uid: str, defined: dict[str, dict]) -> tuple[str, str | None] | None:
    """(uid, plugin type) a datasource variable stands for when the dashboard opens: its current
    value; None when `uid` is no variable of type datasource or it has no single current uid."""
    name = variable_name(uid)
    variable = defined.get(name) if name else None
    if not variable or variable.get("type") != "datasource":
        return None
    value = (variable.get("current") or {}).get("value")
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    if not isinstance(value, str) or not value or value.startswith("$") or value == "default":
        return None
    return value, variable.get("query") if isinstance(variable.get("query"), str) else None


_SCAN = re.compile(r"""("(?:[^"\\]|\\[\s\S])*\\?"?|'(?:[^'\\]|\\[\s\S])*\\?'?|`(?:[^`\\]|\\[\s\S])*\\?`?)"""
                   r"|(\$\{[^}]+\}|\$[A-Za-z_]\w*|\[\[[^\]]+\]\])")


def fill_variables(expr: str) -> tuple[str, bool]:
    """The expression with Grafana's variables replaced by sample values, and whether that is
    certain to be what Grafana sends (False when a variable stood where PromQL names things).
    Quoted strings are kept as they are (a backslash escapes the next character)."""
    expr = _NUMBER_VARS.sub("60", _DURATION_VARS.sub(SAMPLE, expr))
    if "$" not in expr and "[[" not in expr:
        return expr, True
    out: list[str] = []
    certain, i = True, 0
    for m in _SCAN.finditer(expr):
        if m.group(1) is not None:
            continue  # a quoted string, copied with the text around it
        out.append(expr[i:m.start()])
        if _last_char(out) in ("[", ":"):
            out.append(SAMPLE)
        else:
            out.append("grafana_variable")
            certain = False
        i = m.end()
    out.append(expr[i:])
    return "".join(out), certain


def _last_char(pieces: list[str]) -> str:
    """The last character that is not whitespace, of everything written so far."""
    for piece in reversed(pieces):
        piece = piece.rstrip()
        if piece:
            return piece[-1]
    return ""


def metric_names(expr: str) -> set[str]:
    """Names of every series an expression selects (by name or by __name__ equality)."""
    names: set[str] = set()

    def visit(node: object) -> bool:
        if isinstance(node, promql_parser.VectorSelector):
            if node.name:
                names.add(node.name)
            for m in node.matchers.matchers:
                if m.name == "__name__" and m.op == promql_parser.MatchOp.Equal:
                    names.add(m.value)
        return True

    promql_parser.walk(promql_parser.parse(expr), visit)
    return names
