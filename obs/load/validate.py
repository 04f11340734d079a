"""Model validation whose errors are for people: one line per problem, at the YAML that causes it.

pydantic reports a `loc` path; the PosDict tree the data came from turns it into file:line:col.
Union members' errors are folded into the one that fits, unknown fields get a did-you-mean.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from obs import codes
from obs.diagnostics import Diagnostic, Position
from obs.load.yamlpos import key_position, position_of
from obs.model.base import bind

M = TypeVar("M", bound=BaseModel)

_CUSTOM = {"name": codes.SCHEMA_NAME, "duration": codes.SCHEMA_DURATION, "range": codes.SCHEMA_RANGE,
           "value": codes.SCHEMA_VALUE, "type": codes.SCHEMA_TYPE}
_EXPECTED = {
    "string_type": "text", "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number", "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false", "list_type": "a list",
    "dict_type": "a mapping", "model_type": "a mapping", "model_attributes_type": "a mapping",
}


def validate(cls: type[M], data: Any, file: str, what: str | None = None,
             root: Any = None, prefix: tuple = ()) -> tuple[M | None, list[Diagnostic]]:
    """Validate `data` as `cls`; positions come from `root` (default `data`), paths may be prefixed."""
    try:
        obj = cls.model_validate(data)
        bind(obj, data)
        return obj, []
    except ValidationError as e:
        return None, diagnostics_for(e, cls, data if root is None else root, file, prefix)


def diagnostics_for(error: ValidationError, cls: type, root: Any, file: str, prefix: tuple = ()) -> list[Diagnostic]:
    groups: dict[tuple, list[dict]] = {}
    for err in error.errors(include_url=False):
        path, union_at, member = _strip_tags(err["loc"], root, err["type"])
        key = union_at if union_at is not None else path
        groups.setdefault(key, []).append({**err, "path": path, "member": member})
    out = []
    for key, errs in groups.items():
        out.extend(_one_group(key, errs, cls, root, file, prefix))
    return _drop_missing_behind_typos(out)


def custom_error(error: PydanticCustomError, path: tuple, pos: Position) -> Diagnostic:
    """A validator's error raised outside pydantic's own run (obs.load.salvage), as validate() reports it."""
    return Diagnostic(_CUSTOM.get(error.type, codes.SCHEMA_VALUE), f"{_where(path)}: {error.message()}", pos,
                      hint=(error.context or {}).get("obs_hint"))


def _drop_missing_behind_typos(diags: list[Diagnostic]) -> list[Diagnostic]:
    """`evn: X` gives 'unknown field evn (did you mean env?)' and 'missing env': say it once."""
    typos = {(d.message.split(" in ", 1)[-1], d.hint.split("'")[1]) for d in diags
             if d.code == codes.SCHEMA_UNKNOWN_FIELD and d.hint and d.hint.startswith("did you mean")}
    return [d for d in diags if not (d.code == codes.SCHEMA_REQUIRED and
                                     (d.message.split(" in ", 1)[-1], d.message.split("'")[1]) in typos)]


def _strip_tags(loc: tuple, root: Any, kind: str) -> tuple[tuple, tuple | None, str | None]:
    """Split pydantic's loc into the data path and the first union-member tag, if any.

    Steps that are keys or indexes of the data are kept; other steps are tags of union
    members or validators (a missing or unknown field, the last step, is a key too).
    """
    path: list = []
    union_at, member, node = None, None, root
    for i, step in enumerate(loc):
        if isinstance(node, dict) and not isinstance(step, int) and step in node:
            path.append(step)
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            path.append(step)
            node = node[step]
        elif i == len(loc) - 1 and kind in ("missing", "extra_forbidden"):
            path.append(step)
        elif union_at is None:
            union_at, member = tuple(path), str(step)
    return tuple(path), union_at, member


def _one_group(key: tuple, errs: list[dict], cls: type, root: Any, file: str, prefix: tuple) -> list[Diagnostic]:
    custom = [e for e in errs if e["type"] in _CUSTOM]
    if custom:
        return [_diag(custom[0]["path"], custom[0], cls, root, file, prefix)]
    members = {e["member"] for e in errs}
    if len(members) <= 1:
        return [_diag(e["path"], e, cls, root, file, prefix) for e in errs]
    node = _node_at(root, key)
    if isinstance(node, dict):  # a mapping given: report against the member it resembles most
        by_member: dict[str, list[dict]] = {}
        for e in errs:
            if e["type"] in ("missing", "extra_forbidden") or e["path"] != key:
                by_member.setdefault(e["member"], []).append(e)
        if by_member:
            best = min(by_member.values(), key=lambda es: (len(es), es[0]["member"]))
            return [_diag(e["path"], e, cls, root, file, prefix) for e in best]
    expected = sorted({_describe(m) for m in members})
    pos = position_of(root, key) or Position(file)
    return [Diagnostic(codes.SCHEMA_TYPE,
                       f"{_where(prefix + key)}: expected {' or '.join(expected)}; got {_show(node)}", pos)]


def _node_at(root: Any, path: tuple) -> Any:
    node = root
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _describe(member: str | None) -> str:
    base = (member or "").split("[")[0]
    return {"str": "text", "float": "a number", "int": "a whole number", "bool": "true or false",
            "list": "a list", "dict": "a mapping", "EnvRef": "{env: NAME}",
            "SecretRef": "{secret: {name: N, key: K}}"}.get(base, "a mapping" if base[:1].isupper() else base)


def _diag(path: tuple, err: dict, cls: type, root: Any, file: str, prefix: tuple) -> Diagnostic:
    kind, full = err["type"], prefix + path
    if kind == "extra_forbidden":
        field = path[-1] if path else "?"
        allowed = _fields_at(cls, path[:-1])
        close = difflib.get_close_matches(str(field), sorted(allowed), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else (
            f"allowed here: {', '.join(sorted(allowed))}" if allowed and len(allowed) <= 12 else None)
        return Diagnostic(codes.SCHEMA_UNKNOWN_FIELD, f"unknown field '{field}' in {_where(full[:-1])}",
                          key_position(root, path) or Position(file), hint=hint)
    pos = position_of(root, path) or Position(file)
    if kind == "missing":
        return Diagnostic(codes.SCHEMA_REQUIRED, f"missing required field '{path[-1]}' in {_where(full[:-1])}", pos)
    if kind in _CUSTOM:
        hint = (err.get("ctx") or {}).get("obs_hint")
        return Diagnostic(_CUSTOM[kind], f"{_where(full)}: {err['msg']}", pos, hint=hint)
    if kind in ("literal_error", "enum"):
        choices = err.get("ctx", {}).get("expected", "")
        options = [c.strip(" '") for c in choices.replace(" or ", ",").split(",") if c.strip(" '")]
        close = difflib.get_close_matches(str(err["input"]), options, n=1, cutoff=0.6)
        return Diagnostic(codes.SCHEMA_VALUE, f"{_where(full)}: {_show(err['input'])} is not one of {', '.join(options)}",
                          pos, hint=f"did you mean '{close[0]}'?" if close else None)
    if kind == "union_tag_invalid":
        tags = [t.strip(" '") for t in err.get("ctx", {}).get("expected_tags", "").split(",")]
        close = difflib.get_close_matches(str(err.get("ctx", {}).get("tag")), tags, n=1, cutoff=0.6)
        return Diagnostic(codes.YAML_UNSUPPORTED_KIND, f"unknown kind {err.get('ctx', {}).get('tag')!r}", pos,
                          hint=f"did you mean '{close[0]}'?" if close else f"kinds: {', '.join(tags)}")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return Diagnostic(codes.SCHEMA_RANGE, f"{_where(full)}: {err['msg'].lower()} (got {_show(err['input'])})", pos)
    if kind in _EXPECTED:
        return Diagnostic(codes.SCHEMA_TYPE, f"{_where(full)}: expected {_EXPECTED[kind]}, got {_show(err['input'])}", pos)
    return Diagnostic(codes.SCHEMA_VALUE, f"{_where(full)}: {err['msg']}", pos)


def _where(path: tuple) -> str:
    if not path:
        return "the document"
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _fields_at(cls: Any, path: tuple) -> set[str]:
    """Field names (as written in YAML) of the model class found at `path`, for did-you-mean."""
    current: Any = cls
    for step in path:
        current = _descend(current, step)
        if current is None:
            return set()
    models = [m for m in _members(current) if isinstance(m, type) and issubclass(m, BaseModel)]
    names: set[str] = set()
    for m in models:
        for name, f in m.model_fields.items():
            names.add(f.alias or name)
    return names


def _members(tp: Any) -> list:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _members(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(tp) for m in _members(a)]
    return [tp]


def _descend(tp: Any, step: Any) -> Any:
    for member in _members(tp):
        origin = typing.get_origin(member)
        if isinstance(step, int) and origin in (list, tuple):
            return typing.get_args(member)[0]
        if isinstance(step, str) and origin is dict:
            return typing.get_args(member)[1]
        if isinstance(member, type) and issubclass(member, BaseModel) and isinstance(step, str):
            for name, f in member.model_fields.items():
                if step in (name, f.alias):
                    return f.annotation
    return None
