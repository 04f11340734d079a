"""Every independent problem in one run (issue #11): a Service with one broken item keeps its
other items, and a broken item is still read for what does not depend on its broken fields.

pydantic reports every schema error of a document at once, but a document that fails is
dropped whole, so the semantic checks (a `when:` condition, an `expr`'s PromQL, an SLI's
selectors) never saw it: a missing `summary` hid a bad `when:`. Here the failing items are
taken out of the Service, which is validated again without them, and each is recorded as a
`Broken` item with the fields that failed; obs/checks read the others through the same
functions they use for valid items.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from obs.diagnostics import Diagnostic
from obs.load.validate import custom_error, validate
from obs.load.yamlpos import PosDict, PosList
from obs.model import SLO, AlertRule, LogAlert
from obs.model.documents import ServiceDoc

#: Service lists whose items stand alone: nothing else refers to one of them by position
ITEMS = {"slos": ("SLO", SLO), "alerts": ("AlertRule", AlertRule), "logAlerts": ("LogAlert", LogAlert)}
_CLASSES = {kind: cls for kind, cls in ITEMS.values()}


@dataclass(frozen=True)
class Broken:
    """An item that failed the schema: its raw mapping and the top-level fields that failed
    (a check of another field may still read it; "" stands for the item as a whole)."""

    kind: str  # SLO | AlertRule | LogAlert
    service: str | None
    data: PosDict
    failed: frozenset[str]
    #: where the item is in its document, as schema errors name it (spec.logAlerts[0])
    path: tuple = ()

    @property
    def name(self) -> str:
        return str(self.data.get("name") or "?")

    def intact(self, field: str) -> bool:
        """Whether `field` is written and no schema error is in it."""
        return field in self.data and field not in self.failed

    def part(self, field: str, cls: type) -> Any:
        """An intact field as its model class, positions kept; None when it is not intact."""
        if not self.intact(field):
            return None
        try:
            return cls.parse(self.data[field])
        except ValidationError:
            return None


def broken_of(defs: Any, kind: str) -> list[Broken]:
    return [b for b in defs.broken if b.kind == kind]


def failed_fields(kind: str, data: Any) -> frozenset[str] | None:
    """The top-level fields of an item with schema errors; None when it is valid."""
    try:
        _CLASSES[kind].model_validate(data)
    except ValidationError as e:
        return frozenset(str(err["loc"][0]) if err["loc"] else "" for err in e.errors(include_url=False))
    return None


def salvage_service(data: PosDict, file: str) -> tuple[ServiceDoc | None, list[Broken]]:
    """The Service without its broken items (None when the rest fails too), and those items."""
    spec = data.get("spec")
    if not isinstance(spec, PosDict):
        return None, []
    meta = data.get("metadata")
    service = meta.get("name") if isinstance(meta, dict) and isinstance(meta.get("name"), str) else None
    kept_spec, broken = _copy(spec), []
    for key, (kind, _) in ITEMS.items():
        items = spec.get(key)
        if not isinstance(items, PosList):
            continue
        kept = PosList(items.pos)
        for i, item in enumerate(items):
            failed = failed_fields(kind, item)
            if failed is None:
                kept.append(item)
                kept.item_pos.append(items.where(i))
            elif isinstance(item, PosDict):
                broken.append(Broken(kind, service, item, failed, ("spec", key, i)))
        kept_spec[key] = kept
    if not broken:
        return None, []
    cleaned = _copy(data)
    cleaned["spec"] = kept_spec
    obj, problems = validate(ServiceDoc, cleaned, file)
    return (obj if not problems else None), broken


def skipped_rules(item: Broken) -> list[Diagnostic]:
    """The item's own cross-field rules (`query` or `filter`, not both), which pydantic skips once
    any field failed: run on the intact fields, as they would run were the item valid."""
    cls = _CLASSES[item.kind]
    if "" in item.failed:
        return []  # the item as a whole was reported already
    values = {name: item.data[f.alias or name] for name, f in cls.model_fields.items()
              if (f.alias or name) in item.data and (f.alias or name) not in item.failed}
    obj = cls.model_construct(**values)
    out = []
    for decorator in cls.__pydantic_decorators__.model_validators.values():
        if decorator.info.mode != "after":
            continue
        try:
            decorator.func(obj)
        except PydanticCustomError as e:
            out.append(custom_error(e, item.path, item.data.pos))
        except Exception:  # a rule that needs a failed field: nothing independent to say
            continue
    return out


def _copy(node: PosDict) -> PosDict:
    out = PosDict(node.pos)
    out.update(node)
    out.key_pos.update(node.key_pos)
    out.val_pos.update(node.val_pos)
    return out
