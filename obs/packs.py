"""Rule packs shipped in rules/: named sets of alerts a service takes with `uses:`.

A pack is an obs/v1 document (`kind: RulePack`) whose alerts are AlertRule items with
`${name}` placeholders. `${...}` was chosen because it cannot collide with Prometheus's own
`{{ $labels.x }}` / `{{ $value }}` annotation templates nor with `$window` in raw SLIs.
Parameters are typed; `with:` values are checked against them here, at the `with:` key.
"""

from __future__ import annotations

import difflib
import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import promql_parser
from pydantic import Field, ValidationError

from obs import codes, durations
from obs.diagnostics import Diagnostic, Diagnostics, ObsError, Position
from obs.load.validate import validate
from obs.load.yamlpos import PosDict, load_documents
from obs.model import AlertRule
from obs.model.base import Name, Spec
from obs.model.service import PackUse
from obs.resources import resource_dir

if TYPE_CHECKING:
    from obs.catalog import ServiceEntry

UNKNOWN_PACK = codes.define("PK001", "pack/unknown", "`uses` names a rule pack that obs does not ship.")
UNKNOWN_PARAMETER = codes.define("PK002", "pack/unknown-parameter", "`with` names a parameter the pack does not have.")
BAD_PARAMETER = codes.define("PK003", "pack/parameter-value",
                             "A `with` value has the wrong type or is not valid for its parameter (e.g. a selector "
                             "that is not a list of label matchers).")
MISSING_PARAMETER = codes.define("PK004", "pack/missing-parameter", "A required pack parameter is not given in `with`.")
BROKEN_PACK = codes.define("PK005", "pack/invalid", "A rule pack file is not a valid RulePack (a defect of the pack).")

PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: parameters every pack takes besides its own
BUILTIN = {
    "exclude": "alert names of the pack to leave out",
    "notify": "channels that also receive every alert of this pack",
}


class Parameter(Spec):
    type: Literal["selector", "number", "duration", "string"]
    doc: str
    default: Any = None
    required: bool = False


class Exporter(Spec):
    name: str
    url: str


class PackAlert(Spec):
    """Checked as an AlertRule once placeholders are filled; `hint` becomes `runbook_hint`."""

    name: str
    hint: str
    model_config = Spec.model_config | {"extra": "allow"}


class RulePackSpec(Spec):
    description: str
    exporters: list[Exporter]
    metrics: list[str]
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    alerts: list[PackAlert]


class PackMetadata(Spec):
    name: Name


class RulePack(Spec):
    apiVersion: Literal["obs/v1"]
    kind: Literal["RulePack"]
    metadata: PackMetadata
    spec: RulePackSpec

    @property
    def name(self) -> str:
        return self.metadata.name

    def defaults(self) -> dict[str, Any]:
        return {k: p.default for k, p in self.spec.parameters.items() if p.default is not None}


def available() -> list[str]:
    folder = resource_dir("rules")
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def path_of(name: str) -> Path:
    return resource_dir("rules") / f"{name}.yaml"


@functools.cache
def load(name: str) -> tuple[RulePack | None, PosDict | None, tuple[Diagnostic, ...]]:
    """The pack, its raw document (for alert positions) and any defects of the pack file."""
    path = path_of(name)
    try:
        docs, problems = load_documents(path.read_bytes(), str(path))
    except ObsError as e:
        return None, None, tuple(e.diagnostics)
    if len(docs) != 1 or not isinstance(docs[0][0], PosDict):
        return None, None, (Diagnostic(BROKEN_PACK, "a pack file holds exactly one RulePack document", Position(str(path))),)
    pack, diags = validate(RulePack, docs[0][0], str(path))
    return pack, docs[0][0], tuple(problems) + tuple(Diagnostic(BROKEN_PACK, d.message, d.pos, hint=d.hint)
                                                     for d in diags)


def render_value(param: Parameter, value: Any) -> str:
    if param.type == "number":
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return str(value)


def check_value(param: Parameter, value: Any) -> str | None:
    """Why `value` does not fit `param`, or None."""
    if param.type == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else f"expected a number, got {value!r}"
    if not isinstance(value, str):
        return f"expected text, got {value!r}"
    if param.type == "duration" and not durations.is_duration(value):
        return f"{value!r} is not a duration (examples: 30s, 5m, 1h)"
    if param.type == "selector" and value.strip():
        try:
            node = promql_parser.parse("up{" + value + "}")
        except ValueError as e:
            return f"{value!r} is not a list of label matchers ({e})"
        if type(node).__name__ != "VectorSelector":
            return f"{value!r} is not a list of label matchers (it changes the expression around it)"
    return None


_EMPTY = "\x00"


def substitute(data: Any, values: dict[str, str]) -> Any:
    """`${name}` → value in every string of `data`; an empty value takes its neighbouring comma (or
    the braces it filled) with it. Values are never touched: `{1,}` in a regex stays."""
    if isinstance(data, dict):
        return {k: substitute(v, values) for k, v in data.items()}
    if isinstance(data, list):
        return [substitute(v, values) for v in data]
    if isinstance(data, str) and "${" in data:
        text = PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)) or _EMPTY, data)
        text = re.sub(r"(?<=[A-Za-z0-9_:])\{\s*\x00\s*\}", "", text)
        return re.sub(r",\s*\x00|\x00\s*,\s*|\x00", "", text)
    return data


def alert_rules(pack: RulePack, values: dict[str, Any]) -> list[tuple[str, AlertRule | ValidationError]]:
    """The pack's alerts with `values` (parameter → typed value) filled in, as AlertRules."""
    filled = {k: render_value(pack.spec.parameters[k], v) for k, v in {**pack.defaults(), **values}.items()
              if k in pack.spec.parameters}
    out: list[tuple[str, AlertRule | ValidationError]] = []
    for alert in pack.spec.alerts:
        raw = substitute(alert.model_dump(by_alias=True, exclude_none=True), filled)
        hint = raw.pop("hint")
        raw["annotations"] = {**raw.get("annotations", {}), "runbook_hint": hint}
        try:
            out.append((alert.name, AlertRule.model_validate(raw)))
        except ValidationError as e:
            out.append((alert.name, e))
    return out


def expand(use: PackUse, service: ServiceEntry, diags: Diagnostics) -> list[AlertRule]:
    """The pack's alerts with its parameters filled in; every problem is one diagnostic at `with:`."""
    names = available()
    if use.pack not in names:
        close = difflib.get_close_matches(use.pack, names, n=1, cutoff=0.6)
        diags.error(UNKNOWN_PACK, f"unknown rule pack {use.pack!r}", use.pos_of("pack"),
                    hint=f"did you mean '{close[0]}'?" if close else
                    (f"packs: {', '.join(names)}" if names else "no packs are installed"))
        return []
    pack, _, defects = load(use.pack)
    if pack is None or defects:
        diags.extend(defects)
        return []
    values = _checked_values(pack, use, diags)
    if values is None:
        return []
    excluded, notify = set(values.pop("exclude", [])), list(values.pop("notify", []))
    rules = []
    for name, rule in alert_rules(pack, values):
        if isinstance(rule, ValidationError):
            diags.error(BAD_PARAMETER, f"pack {pack.name!r}: alert {name} is not valid with these parameters: "
                        f"{rule.errors()[0]['msg']}", use.pos_of("with"))
        elif name not in excluded:
            if notify:
                rule = rule.model_copy(update={"notify": notify})
            if use.expectedIn:
                rule = rule.model_copy(update={"expectedIn": list(use.expectedIn)})
            rule._source = _at(use)
            rules.append(rule)
    return rules


def _at(use: PackUse) -> PosDict:
    """Positions for a pack's alert: the `uses:` entry that brought it in (where a person edits)."""
    src = PosDict(use.pos or Position("?"))
    return src


def _checked_values(pack: RulePack, use: PackUse, diags: Diagnostics) -> dict[str, Any] | None:
    src = use._source.get("with") if use._source is not None else None
    key_pos = src.key_pos if isinstance(src, PosDict) else {}
    val_pos = src.val_pos if isinstance(src, PosDict) else {}
    params = pack.spec.parameters
    ok, values = True, {}
    for key, value in use.with_.items():
        if key in BUILTIN:
            problem = _builtin_problem(pack, key, value)
        elif key not in params:
            known = sorted([*params, *BUILTIN])
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            diags.error(UNKNOWN_PARAMETER, f"rule pack {pack.name!r} has no parameter {key!r}",
                        key_pos.get(key) or use.pos_of("with"),
                        hint=f"did you mean '{close[0]}'?" if close else f"parameters: {', '.join(known)}")
            ok = False
            continue
        else:
            problem = check_value(params[key], value)
        if problem:
            diags.error(BAD_PARAMETER, f"rule pack {pack.name!r}, parameter {key!r}: {problem}",
                        val_pos.get(key) or use.pos_of("with"),
                        hint=params[key].doc if key in params else BUILTIN[key])
            ok = False
        values[key] = value
    for key, param in params.items():
        if param.required and key not in use.with_:
            diags.error(MISSING_PARAMETER, f"rule pack {pack.name!r} needs parameter {key!r} in `with`",
                        use.pos_of("with") if "with" in (use._source or {}) else use.pos_of("pack"), hint=param.doc)
            ok = False
    return values if ok else None


def _builtin_problem(pack: RulePack, key: str, value: Any) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "expected a list of names"
    if key == "exclude":
        alerts = [a.name for a in pack.spec.alerts]
        for name in value:
            if name not in alerts:
                close = difflib.get_close_matches(name, alerts, n=1, cutoff=0.6)
                return f"the pack has no alert {name!r}" + (f" (did you mean '{close[0]}'?)" if close else "")
    return None


def rule_file(pack: RulePack, values: dict[str, Any] | None = None, summary_only: bool = False) -> dict:
    """The pack as a plain Prometheus rule file (one group), for promtool tests and docs;
    `summary_only` keeps the unit tests short (promtool compares annotations exactly)."""
    rules = []
    for _, rule in alert_rules(pack, values or {}):
        if isinstance(rule, ValidationError):
            raise ValueError(f"pack {pack.name}: {rule}")
        body: dict = {"alert": rule.name, "expr": rule.expr.strip()}
        if rule.for_:
            body["for"] = rule.for_
        body["labels"] = {**rule.labels, "severity": rule.severity}
        annotations = {"summary": rule.summary, **({"description": rule.description} if rule.description else {})}
        body["annotations"] = {"summary": rule.summary} if summary_only else {**annotations, **rule.annotations}
        rules.append(body)
    return {"groups": [{"name": f"pack-{pack.name}", "rules": rules}]}
