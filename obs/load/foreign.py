"""Foreign formats read as they are (SPEC §1 table). Detection is explicit and total: each
document is obs/v1 or exactly one known format, or it is an error naming the file.

Each format module provides `detect(doc) -> bool` and `adapt(docs, diags) -> [SourceDoc]`,
which turns that format's documents into obs/v1 documents (positions kept from the original),
so one parser and one compiler serve every format, and `obs import` is adapt + write.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from obs import codes
from obs.diagnostics import Diagnostics
from obs.load.sources import SourceDoc


@dataclass(frozen=True)
class Format:
    name: str
    module: str
    summary: str
    detector: str = "detect"

    def detect(self, doc: Any) -> bool:
        return bool(getattr(self._mod(), self.detector)(doc))

    def adapt(self, docs: list[SourceDoc], diags: Diagnostics) -> list[SourceDoc]:
        return list(self._mod().adapt(docs, diags))

    def _mod(self) -> Any:
        return importlib.import_module(self.module)


#: in order of detection; the first that claims a document owns it
FORMATS: tuple[Format, ...] = (
    Format("prometheus-operator", "obs.load.promrules", "PrometheusRule (monitoring.coreos.com/v1)",
           "detect_operator"),
    Format("sloth", "obs.load.sloth", "Sloth spec (prometheus/v1 or sloth.slok.dev/v1)"),
    Format("openslo", "obs.load.openslo", "OpenSLO v1"),
    Format("prometheus", "obs.load.promrules", "Prometheus rule file (groups:)"),
    Format("elastalert", "obs.load.elastalert", "ElastAlert 2 rule"),
)
IMPORTABLE = {"sloth": "sloth", "openslo": "openslo", "prometheus": "prometheus", "elastalert": "elastalert"}


def is_obs(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("apiVersion") == "obs/v1"


def classify(doc: SourceDoc, diags: Diagnostics) -> str | None:
    """The format name of a document, or None (with a diagnostic) when it is none of them."""
    if is_obs(doc.data):
        return "obs"
    for fmt in FORMATS:
        if fmt.detect(doc.data):
            return fmt.name
    api = doc.data.get("apiVersion") if isinstance(doc.data, dict) else None
    hint = (f"apiVersion {api!r} is not one obs reads; obs documents start with apiVersion: obs/v1"
            if api else "obs documents start with apiVersion: obs/v1 and a kind")
    if "openslo" in str(api):
        hint = (f"obs reads OpenSLO openslo/v1 and openslo/v1alpha; {api} is a draft that changes between releases "
                "of the OpenSLO go-sdk, so obs does not read it yet")
    diags.error(codes.YAML_UNKNOWN_FORMAT, f"{doc.file}: this document is none of the formats obs reads",
                doc.pos, hint=hint)
    return None


def adapt_all(documents: list[SourceDoc], diags: Diagnostics) -> list[SourceDoc]:
    """obs/v1 documents as they are, foreign ones adapted; unknown ones dropped with an error."""
    by_format: dict[str, list[SourceDoc]] = {}
    out: list[SourceDoc] = []
    for doc in documents:
        name = classify(doc, diags)
        if name == "obs":
            out.append(doc)
        elif name is not None:
            doc.format = name
            by_format.setdefault(name, []).append(doc)
    for fmt in FORMATS:
        if fmt.name in by_format:
            out.extend(fmt.adapt(by_format[fmt.name], diags))
    return _merge_services(out)


def _merge_services(docs: list[SourceDoc]) -> list[SourceDoc]:
    """A Service adapted from a foreign format gives way to an obs/v1 Service of the same name
    (its standalone SLOs join that one); of several adapted ones, the first stands."""
    def name(doc: SourceDoc) -> Any:
        meta = doc.data.get("metadata") if doc.data.get("kind") == "Service" else None
        return meta.get("name") if isinstance(meta, dict) else None

    defined = {name(d) for d in docs if d.format == "obs"} - {None}
    kept = []
    for doc in docs:
        if doc.format != "obs" and name(doc) is not None:
            if name(doc) in defined:
                continue
            defined.add(name(doc))
        kept.append(doc)
    return kept

