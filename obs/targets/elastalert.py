"""ElastAlert 2 rules: out/elastalert/<name>.yaml and one ConfigMap holding them all.

Each SPEC §1.5 condition maps onto the ElastAlert rule type with the same meaning (`count > N`
is `frequency` with `num_events: N+1`); rules read from legacy ElastAlert files are written
back as they were. Channel secrets are `${VAR}` placeholders that ElastAlert expands from its
environment when it reads a rule (docs/logs.md).
"""

from __future__ import annotations

from obs import yamlout
from obs.catalog import Catalog, LogAlertEntry
from obs.diagnostics import Diagnostic, Diagnostics
from obs.logs import condition_of, indices, template, timeframe, unsupported
from obs.logs.channels import (
    JINJA_ROOT,
    PRIORITY,
    elastalert_alerters,
    message,
    recipients,
    smtp_auth_file,
    smtp_auth_text,
    smtp_logins,
    unsigned_feishu,
)
from obs.logs.condition import Condition
from obs.logs.secrets import EnvNeed
from obs.targets import Artifact
from obs.targets.k8s import metadata

TARGET = "elastalert"
CONFIGMAP = "elastalert-rules"


class _Cannot(Exception):
    pass


def rule_type(entry: LogAlertEntry, cond: Condition) -> dict:
    """The rule type and its options; _Cannot when ElastAlert's comparison differs from the condition's."""
    k, op, n = cond.kind, cond.op, cond.threshold
    whole = int(n) if n is not None and float(n).is_integer() else n
    if k == "any":
        return {"type": "any"}
    if k == "count" and op in (">", ">="):
        return {"type": "frequency", "num_events": whole + 1 if op == ">" else whole,
                "timeframe": timeframe(cond.window)}
    if k in ("count", "absent"):
        return {"type": "flatline", "threshold": whole if op == "<" else whole + 1, "timeframe": timeframe(cond.window)}
    if k == "spike":
        # threshold_ref: without it ElastAlert calls any count "up" from an empty reference window (even 0 → 0)
        return {"type": "spike", "spike_height": _num(cond.factor), "spike_type": cond.direction,
                "threshold_ref": 1, "timeframe": timeframe(cond.window)}
    if k == "new_value":
        return {"type": "new_term", "fields": list(cond.fields), "terms_window_size": {"days": 30}}
    if k == "distinct":
        # ElastAlert alerts when the number of values is > max_cardinality or < min_cardinality
        # (`>= 0` and `< 0` are refused by the grammar, obs.logs.condition.meaningful)
        bound = {">": ("max_cardinality", whole), ">=": ("max_cardinality", whole - 1),
                 "<": ("min_cardinality", whole), "<=": ("min_cardinality", whole + 1)}[op]
        return {"type": "cardinality", "cardinality_field": cond.field, bound[0]: bound[1],
                "timeframe": timeframe(cond.window)}
    if k in ("metric", "ratio"):
        if op in (">=", "<="):
            raise _Cannot(f"ElastAlert compares {'metric values' if k == 'metric' else 'percentages'} strictly; "
                          "use > or <")
        if k == "metric":
            return {"type": "metric_aggregation", "metric_agg_key": cond.field, "metric_agg_type": cond.agg,
                    ("max_threshold" if op == ">" else "min_threshold"): _num(n),
                    "buffer_time": timeframe(cond.window)}
        return {"type": "percentage_match",
                "match_bucket_filter": [{"query_string": {"query": entry.spec.match}}],
                ("max_percentage" if op == ">" else "min_percentage"): _num(n), "buffer_time": timeframe(cond.window)}
    if k == "elastalert":
        return dict(cond.options)
    raise _Cannot(f"unknown condition {k}")


def _num(value: float | None):
    return int(value) if value is not None and float(value).is_integer() else value


def filters(entry: LogAlertEntry) -> list[dict]:
    """`query` as a query_string filter, or `filter:` DSL as given. Not the older `- query: {...}` wrapper:
    new_term's own searches send filters unwrapped, and Elasticsearch rejects the wrapper there."""
    spec = entry.spec
    if spec.query is not None:
        return [{"query_string": {"query": spec.query}}]
    if spec.filter is None:
        return []
    return list(spec.filter) if isinstance(spec.filter, list) else [spec.filter]


def build_rule(catalog: Catalog, entry: LogAlertEntry, needs: set[EnvNeed]) -> dict | Diagnostic:
    """The ElastAlert rule of a LogAlertEntry (the original rule for legacy files)."""
    if entry.raw is not None:
        return dict(entry.raw)
    cond = condition_of(entry)
    if isinstance(cond, Diagnostic):
        return cond
    try:
        typed = rule_type(entry, cond)
    except _Cannot as e:
        return unsupported(entry, TARGET, str(e))
    spec = entry.spec
    rule: dict = {"name": entry.name, "index": ",".join(indices(entry)), "timestamp_field": entry.timestamp_field,
                  "type": typed.pop("type")}
    rule.update(typed)
    if spec.group_by:
        rule["query_key"] = spec.group_by[0] if len(spec.group_by) == 1 else list(spec.group_by)
    rule["filter"] = filters(entry)
    if entry.realert:
        rule["realert"] = timeframe(entry.realert)
    rule["priority"] = PRIORITY[spec.severity]
    for key, text in (("alert_subject", spec.summary), ("alert_text", message(entry))):
        rule[key], args = template.positional(text)  # `{{ field }}` → `{0}` + *_args (lookup_es_key)
        if args:
            rule[f"{key}_args"] = args
    alerters = elastalert_alerters(catalog, entry, needs)
    feishu = not catalog.defaults.logs.alertmanager and any(c.spec.type == "feishu" for c in recipients(catalog, entry))
    if template.fields(spec.summary) or (feishu and template.fields(spec.description)):
        rule["jinja_root_name"] = JINJA_ROOT  # webhook payloads name fields through it
    unsigned = unsigned_feishu(catalog, entry, TARGET)
    if unsigned is not None:
        return unsigned
    rule["alert"] = alerters or ["debug"]
    return rule


def environment(catalog: Catalog) -> list[EnvNeed]:
    """Every variable the ElastAlert rules expand, with its reference: what the ElastAlert pod's
    environment must hold (`obs.logs.secrets.values` computes them at apply time)."""
    needs: set[EnvNeed] = set()
    for entry in catalog.log_alerts:
        if TARGET in entry.targets:
            build_rule(catalog, entry, needs)
    return sorted(needs)


def header(entry: LogAlertEntry) -> str:
    what = "ElastAlert 2 rule kept from" if entry.raw is not None else "generated by obs from"
    return f"{what} {entry.origin}\nlabels: " + ", ".join(f"{k}={v}" for k, v in sorted(entry.labels.items()))


def compile(catalog: Catalog, diags: Diagnostics) -> list[Artifact]:
    artifacts, rules, needs, logins = [], {}, set(), {}
    for entry in sorted(catalog.log_alerts, key=lambda e: e.name):
        if TARGET not in entry.targets:
            continue
        rule = build_rule(catalog, entry, needs)
        if isinstance(rule, Diagnostic):
            diags.add(rule)
            continue
        text = yamlout.dump(rule, header(entry))
        path = f"elastalert/{entry.name}.yaml"
        artifacts.append(Artifact.text(path, text, TARGET, [entry.origin]))
        rules[f"{entry.name}.yaml"] = (text, entry)
        logins.update({ch.name: ch for ch in smtp_logins(catalog, entry)})
    for _, ch in sorted(logins.items()):  # every smtp_auth_file a rule names, beside the rules
        text = smtp_auth_text(catalog, ch)
        artifacts.append(Artifact.text(f"elastalert/{smtp_auth_file(catalog, ch)}", text, TARGET, [ch.origin]))
        rules[smtp_auth_file(catalog, ch)] = (text, ch)
    if rules:
        annotations = {"obs.dev/env": ",".join(sorted({n.var for n in needs}))} if needs else None
        cm = {"apiVersion": "v1", "kind": "ConfigMap",
              "metadata": metadata(catalog, CONFIGMAP, annotations=annotations),
              "data": {k: v[0] for k, v in sorted(rules.items())}}
        artifacts.append(Artifact.text("kubernetes/elastalert-rules.yaml", yamlout.dump(cm), TARGET,
                                       [e.origin for _, e in rules.values()]))
    return artifacts
