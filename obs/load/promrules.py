"""Prometheus rule files (`groups:`) and PrometheusRule objects read as obs RuleGroups: carried
through rule for rule, linted like any obs rule, and re-emitted with the project's labels.

One `kind: RuleGroup` per group; its name made an obs name when it is not one, its team taken
from the group's `team` label (Prometheus 3 group labels) when there is one.
"""

from __future__ import annotations

from typing import Any

from obs import codes
from obs.diagnostics import Diagnostics
from obs.load import convert as cv
from obs.load.sources import SourceDoc
from obs.load.yamlpos import PosDict, PosList

PROM_INVALID = codes.define("IM020", "import/prometheus-invalid",
                            "A Prometheus rule file or PrometheusRule is not shaped as Prometheus reads it.")
PROM_DROPPED = codes.define("IM021", "import/prometheus-dropped",
                            "A rule-group field obs does not carry (Thanos partial_response_strategy) is left out.")

_GROUP = ("name", "interval", "limit", "query_offset", "labels", "rules")
_DROPPED = ("partial_response_strategy",)


def detect(doc: Any) -> bool:
    return isinstance(doc, dict) and "groups" in doc and "apiVersion" not in doc


def detect_operator(doc: Any) -> bool:
    return (isinstance(doc, dict) and doc.get("kind") == "PrometheusRule"
            and str(doc.get("apiVersion", "")).startswith("monitoring.coreos.com/"))


def adapt(docs: list[SourceDoc], diags: Diagnostics) -> list[SourceDoc]:
    out = []
    for doc in docs:
        groups, holder = _groups(doc, diags)
        for i, group in enumerate(groups):
            if not isinstance(group, PosDict):
                diags.error(PROM_INVALID, "each rule group must be a mapping", holder.where(i))
                continue
            built = _group(group, diags)
            if built is not None:
                out.append(cv.source(doc, built))
    return out


def _groups(doc: SourceDoc, diags: Diagnostics) -> tuple[list, Any]:
    data = doc.data
    if doc.format == "prometheus-operator":
        spec = data.get("spec")
        if not isinstance(spec, PosDict):
            diags.error(PROM_INVALID, "a PrometheusRule needs a 'spec' with 'groups'", data.where("spec"))
            return [], data
        data = spec
    groups = data.get("groups")
    if groups is None:
        return [], data
    if not isinstance(groups, PosList):
        diags.error(PROM_INVALID, "groups must be a list of rule groups", data.where("groups"))
        return [], data
    if doc.format == "prometheus":
        cv.unknown_keys(data, ("groups",), "a Prometheus rule file", PROM_INVALID, diags)
    return groups, groups


def _group(group: PosDict, diags: Diagnostics) -> PosDict | None:
    cv.unknown_keys(group, _GROUP + _DROPPED, "a rule group", PROM_INVALID, diags)
    for key in _DROPPED:
        if key in group:
            diags.warning(PROM_DROPPED, f"{key} is a Thanos field obs does not carry; it is left out",
                          group.key_pos[key])
    name = cv.text_field(group, "name", "a rule group", PROM_INVALID, diags)
    rules = group.get("rules")
    if rules is None:  # `rules:` with nothing under it, or no rules key: an empty group, as promtool reads it
        rules = PosList(group.val_pos.get("rules", group.pos))
    if not isinstance(rules, PosList):
        diags.error(PROM_INVALID, "a rule group's 'rules' must be a list", group.where("rules"))
        return None
    if name is None:
        return None
    doc, meta = cv.document("RuleGroup", group)
    # never cut: two long groups that differ only past a limit must not become one (Prometheus has no limit)
    slug = cv.slug(name, limit=None)
    cv.put(meta, "name", slug, (group, "name"))
    if slug != name:
        doc.notes.append(f"group {name!r} renamed {slug!r} (obs names are [a-z0-9-])")
    labels = cv.strings(group.get("labels"))
    if labels:
        if "team" in labels:
            cv.put(meta, "team", str(labels["team"]), (labels, "team"))
        kept = cv.node(labels)
        for key, value in labels.items():
            if key != "team":
                cv.put(kept, key, value, (labels, key))
        if kept:
            cv.put(meta, "labels", kept, (group, "labels"))
    spec = cv.node(group)
    cv.put(doc, "spec", spec, group)
    for key in ("interval", "limit", "query_offset"):
        cv.copy_key(spec, key, group)
    cv.put(spec, "rules", _rules(rules), (group, "rules"))
    return doc


def _rules(rules: PosList) -> PosList:
    """The rules as written; a number written as an expression (`expr: 1`) becomes its text."""
    out = PosList(rules.pos)
    for i, rule in enumerate(rules):
        if isinstance(rule, PosDict) and isinstance(rule.get("expr"), (int, float)) \
                and not isinstance(rule.get("expr"), bool):
            fixed = cv.node(rule)
            for key, value in rule.items():
                cv.put(fixed, key, str(value) if key == "expr" else value, (rule, key))
            rule = fixed
        out.append(rule)
        out.item_pos.append(rules.where(i))
    return out
