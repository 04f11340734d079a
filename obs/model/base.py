"""The base of every model class: strict fields, and the position each object came from.

`extra="forbid"` turns typos into errors; the wrap validator keeps the `PosDict` an object
was built from, so `obj.pos` and `obj.pos_of("field")` point at the YAML a person wrote.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, PrivateAttr
from pydantic_core import PydanticCustomError

from obs import durations
from obs.diagnostics import Position
from obs.load.yamlpos import PosDict


class Spec(BaseModel):
    """A part of an obs/v1 document."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    _source: PosDict | None = PrivateAttr(default=None)

    @classmethod
    def parse(cls, data: Any) -> Any:
        """Validate and remember where each part came from (raises pydantic's ValidationError)."""
        obj = cls.model_validate(data)
        bind(obj, data)
        return obj

    @property
    def pos(self) -> Position | None:
        return self._source.pos if self._source is not None else None

    def pos_of(self, field: str) -> Position | None:
        """Where the value of `field` (by its YAML name) is written; else the object itself."""
        if self._source is not None:
            return self._source.val_pos.get(field) or self._source.pos
        return None


#: values bind() has nothing to do for (most of a document): skipped before the call
_LEAVES = frozenset((str, int, float, bool, type(None)))


def bind(obj: Any, data: Any) -> None:
    """Walk a validated object beside the PosDict/PosList it came from and keep the sources."""
    if isinstance(obj, Spec):
        if isinstance(data, PosDict):
            obj._source = data
        if not isinstance(data, dict):
            return
        for name, field in type(obj).model_fields.items():
            key = field.alias or name
            if key in data:
                value = getattr(obj, name)
                if type(value) not in _LEAVES:
                    bind(value, data[key])
    elif isinstance(obj, (list, tuple)) and isinstance(data, list):
        for item, raw in zip(obj, data, strict=False):
            if type(item) not in _LEAVES:
                bind(item, raw)
    elif isinstance(obj, dict) and isinstance(data, dict):
        for key, item in obj.items():
            if key in data and type(item) not in _LEAVES:
                bind(item, data[key])


def invalid(kind: str, message: str, hint: str | None = None) -> PydanticCustomError:
    """A validation error of one of obs's kinds: name, duration, range, value (see load.validate),
    with a hint line where one helps. pydantic fills only `{names}` of the context into the message, and
    the context holds nothing but `obs_hint`, so braces in a message stay as they are."""
    return PydanticCustomError(kind, message, {"obs_hint": hint} if hint else None)


def _name(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", value):
        raise invalid("name", f"{value!r} is not a valid name: use lowercase letters, digits and '-' "
                         "(start and end with a letter or digit, at most 63 characters)")
    return value


def _group_name(value: str) -> str:
    """A rule group is written to out/prometheus/<group>.rules.yaml: the file name (255 bytes) is the limit."""
    if not re.fullmatch(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?", value) or len(value) > 240:
        raise invalid("name", f"{value!r} is not a valid rule group name: use lowercase letters, digits and '-' "
                         "(start and end with a letter or digit, at most 240 characters, so that "
                         "out/prometheus/<group>.rules.yaml fits a file name's 255 bytes)")
    return value


def _metric_name(value: str) -> str:
    if not re.fullmatch(r"[a-zA-Z_:][a-zA-Z0-9_:]*", value):
        raise invalid("name", f"{value!r} is not a valid Prometheus name: use letters, digits, '_' and ':'")
    return value


def _alert_name(value: str) -> str:
    if not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", value):
        raise invalid("name", f"{value!r} is not a valid alert name: use letters, digits and '_' "
                         "(for example CheckoutHighLatency)")
    return value


def _any_alert_name(value: str) -> str:
    if not value.strip():
        raise invalid("name", "an alert name must not be empty")
    return value


def _label_name(value: str) -> str:
    if not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", value) or value.startswith("__"):
        raise invalid("name", f"{value!r} is not a valid label name: use letters, digits and '_'")
    return value


def _duration(value: str) -> str:
    try:
        durations.seconds(value)
    except ValueError as e:
        raise invalid("duration", str(e)) from None
    return value


def _stringify(value: Any) -> Any:
    """Label values written as numbers or booleans (tier: 1) are strings to Prometheus."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


Name = Annotated[str, AfterValidator(_name)]
GroupName = Annotated[str, AfterValidator(_group_name)]
MetricName = Annotated[str, AfterValidator(_metric_name)]
AlertName = Annotated[str, AfterValidator(_alert_name)]
AnyAlertName = Annotated[str, AfterValidator(_any_alert_name)]
LabelName = Annotated[str, AfterValidator(_label_name)]
Duration = Annotated[str, BeforeValidator(_stringify), AfterValidator(_duration)]
LabelValue = Annotated[str, BeforeValidator(_stringify)]
Labels = dict[LabelName, LabelValue]
Annotations = dict[str, Annotated[str, BeforeValidator(_stringify)]]
