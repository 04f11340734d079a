"""obs/v1 documents into typed model objects; standalone SLO/AlertRule/LogAlert items built
from metadata + spec so they validate exactly like items inside a Service."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter

from obs import codes
from obs.diagnostics import Diagnostics
from obs.load.salvage import Broken, failed_fields, salvage_service, skipped_rules
from obs.load.sources import SourceDoc
from obs.load.validate import validate
from obs.load.yamlpos import PosDict
from obs.model import SLO, AlertRule, LogAlert
from obs.model.documents import KINDS, BurnRatePolicyDoc, ChannelDoc, Document, RuleGroupDoc, ServiceDoc, StandaloneDoc

_DOCUMENT = TypeAdapter(Document)
_ITEM = {"SLO": SLO, "AlertRule": AlertRule, "LogAlert": LogAlert}


@dataclass
class Standalone:
    kind: str
    service: str | None
    item: Any
    doc: SourceDoc


@dataclass
class Definitions:
    """Everything the sources define, typed, before defaults and references are resolved."""

    services: list[tuple[ServiceDoc, SourceDoc]] = field(default_factory=list)
    channels: list[tuple[ChannelDoc, SourceDoc]] = field(default_factory=list)
    rule_groups: list[tuple[RuleGroupDoc, SourceDoc]] = field(default_factory=list)
    standalone: list[Standalone] = field(default_factory=list)
    policies: list[tuple[BurnRatePolicyDoc, SourceDoc]] = field(default_factory=list)
    #: items that failed the schema, kept for the checks of their intact fields (obs.load.salvage)
    broken: list[Broken] = field(default_factory=list)
    #: metadata.name as written of documents that did not validate, by kind ("?" for an unknown kind);
    #: with `unloaded` (files that did not load): a reference to them echoes an error already reported
    failed: dict[str, set[str]] = field(default_factory=dict)
    unloaded: list[str] = field(default_factory=list)

    def may_define(self, kind: str, name: str) -> bool:
        """Whether a document that failed to load or validate might have defined `name` of `kind`."""
        return bool(self.unloaded) or any(name in self.failed.get(k, ()) for k in (kind, "?"))

    def incomplete(self, kind: str) -> bool:
        """Whether some document of `kind` (or of unknown content) failed: lookups by content are unsure."""
        return bool(self.unloaded) or any(self.failed.get(k) for k in (kind, "?"))


def parse_documents(docs: list[SourceDoc], diags: Diagnostics) -> Definitions:
    defs = Definitions()
    for doc in docs:
        kind = doc.data.get("kind")
        if kind == "Project":
            diags.error(codes.YAML_UNSUPPORTED_KIND, "a Project belongs in obs.yaml at the repository's root", doc.pos)
            continue
        if not isinstance(kind, str) or kind not in KINDS:
            _unknown_kind(doc, kind, diags)
            _failed(defs, "?", doc)
            continue
        cls = {"Service": ServiceDoc, "Channel": ChannelDoc, "RuleGroup": RuleGroupDoc,
               "BurnRatePolicy": BurnRatePolicyDoc}.get(kind, StandaloneDoc)
        obj, problems = validate(cls, doc.data, doc.file)
        diags.extend(problems)
        if obj is None and cls is ServiceDoc:
            obj, broken = salvage_service(doc.data, doc.file)  # the other items are still checked
            defs.broken += broken
            for item in broken:
                diags.extend(skipped_rules(item))
        if obj is None:
            _failed(defs, kind, doc)
            continue
        if isinstance(obj, ServiceDoc):
            defs.services.append((obj, doc))
        elif isinstance(obj, ChannelDoc):
            defs.channels.append((obj, doc))
        elif isinstance(obj, RuleGroupDoc):
            defs.rule_groups.append((obj, doc))
        elif isinstance(obj, BurnRatePolicyDoc):
            defs.policies.append((obj, doc))
        else:
            if obj.metadata.service is None and obj.kind != "LogAlert":
                diags.error(codes.SCHEMA_REQUIRED, f"missing required field 'service' in metadata: a standalone "
                            f"{obj.kind} belongs to a service", doc.data["metadata"].pos)
                continue
            item = _standalone_item(obj, doc, diags, defs.broken)
            if item is not None:
                defs.standalone.append(Standalone(obj.kind, obj.metadata.service, item, doc))
    return defs


def _failed(defs: Definitions, kind: str, doc: SourceDoc) -> None:
    meta = doc.data.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    defs.failed.setdefault(kind, set()).add(name if isinstance(name, str) else "")


def _unknown_kind(doc: SourceDoc, kind: Any, diags: Diagnostics) -> None:
    import difflib
    pos = doc.data.where("kind") if isinstance(doc.data, PosDict) else doc.pos
    if kind is None:
        diags.error(codes.SCHEMA_REQUIRED, "missing required field 'kind'", doc.pos, hint=f"kinds: {', '.join(KINDS)}")
        return
    close = difflib.get_close_matches(str(kind), KINDS, n=1, cutoff=0.6)
    diags.error(codes.YAML_UNSUPPORTED_KIND, f"unknown kind {kind!r}", pos,
                hint=f"did you mean '{close[0]}'?" if close else f"kinds: {', '.join(KINDS)}")


def _standalone_item(obj: StandaloneDoc, doc: SourceDoc, diags: Diagnostics, broken: list[Broken]) -> Any:
    """metadata.name + spec → the item, positions kept (the name points at metadata.name)."""
    spec = doc.data.get("spec")
    meta = doc.data["metadata"]
    merged = PosDict(spec.pos if isinstance(spec, PosDict) else doc.pos)
    merged["name"] = obj.metadata.name
    merged.key_pos["name"] = meta.key_pos.get("name", doc.pos)
    merged.val_pos["name"] = meta.val_pos.get("name", doc.pos)
    if isinstance(spec, PosDict):
        if "name" in spec:
            diags.error(codes.SCHEMA_UNKNOWN_FIELD, "the name of a standalone item is metadata.name, not spec.name",
                        spec.key_pos["name"])
            return None
        merged.update(spec)
        merged.key_pos.update(spec.key_pos)
        merged.val_pos.update(spec.val_pos)
    item, problems = validate(_ITEM[obj.kind], merged, doc.file, prefix=("spec",))
    diags.extend(problems)
    if item is None:
        failed = failed_fields(obj.kind, merged)
        if failed is not None:
            broken.append(Broken(obj.kind, obj.metadata.service, merged, failed, ("spec",)))
            diags.extend(skipped_rules(broken[-1]))
    return item
