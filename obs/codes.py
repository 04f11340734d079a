"""Stable diagnostic codes. A code, once published, keeps its meaning forever.

Families (two letters + three digits): YM loading, CF obs.yaml and invocation, SC schema,
RF references and duplicates, PQ PromQL, AL alert content, SE secrets, SL SLOs, LG log
alerts, DB dashboards, SW SkyWalking, PK rule packs, AM Alertmanager, IM foreign formats,
LV live validation. A module that emits a code defines it with `define`, so
`obs lint --list-checks` can list every one with its doc line.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    doc: str


_CODES: dict[str, Code] = {}


def define(code: str, name: str, doc: str) -> str:
    """Register a code (idempotent for the same meaning) and return it, for use as a constant."""
    existing = _CODES.get(code)
    if existing and existing.name != name:
        raise RuntimeError(f"diagnostic code {code} defined twice: {existing.name} and {name}")
    _CODES[code] = Code(code, name, doc)
    return code


def all_codes() -> list[Code]:
    return sorted(_CODES.values(), key=lambda c: c.code)


# Loading
YAML_SYNTAX = define("YM001", "yaml/syntax", "The file is not valid YAML.")
YAML_TOO_LARGE = define("YM002", "yaml/too-large", "The file is larger than obs reads (a guard against hostile input).")
YAML_ALIAS_BOMB = define("YM003", "yaml/alias-expansion", "Aliases expand to more nodes than obs accepts (a 'billion laughs' guard).")
YAML_TOO_DEEP = define("YM004", "yaml/nesting", "Nesting is deeper than obs accepts.")
YAML_DUPLICATE_KEY = define("YM005", "yaml/duplicate-key", "A mapping has the same key twice; YAML keeps only the last.")
YAML_UNKNOWN_FORMAT = define("YM006", "yaml/unknown-document", "A document is none of the formats obs reads (obs/v1, Sloth, OpenSLO, Prometheus rules, PrometheusRule, ElastAlert 2).")
YAML_NOT_MAPPING = define("YM007", "yaml/not-a-mapping", "A document must be a mapping.")
YAML_UNREADABLE = define("YM008", "yaml/unreadable", "The file cannot be read as UTF-8 text.")
YAML_BAD_KEY = define("YM009", "yaml/complex-key", "Mapping keys must be plain scalars.")
YAML_UNSUPPORTED_KIND = define("YM010", "yaml/unknown-kind", "An obs/v1 document has a kind obs does not know.")

INTERNAL = define("OBS000", "internal", "obs itself failed: a bug to report (OBS_DEBUG=1 shows the traceback).")

# Project and invocation
CONFIG_MISSING = define("CF001", "config/missing", "No obs.yaml was found in the folder or its parents.")
CONFIG_INVALID = define("CF002", "config/invalid", "obs.yaml does not follow the Project schema.")
CONFIG_NO_SOURCES = define("CF003", "config/no-sources", "A source glob of obs.yaml matches no file.")
CONFIG_UNKNOWN_TARGET = define("CF004", "config/unknown-target", "obs.yaml names a target obs does not have.")
CONFIG_USAGE = define("CF005", "config/usage", "The command was called with arguments it cannot use.")
CONFIG_ENV = define("CF006", "config/environment", "An environment or a variable it reads is missing.")

# Schema
SCHEMA_UNKNOWN_FIELD = define("SC001", "schema/unknown-field", "A field that the kind does not have (often a typo).")
SCHEMA_TYPE = define("SC002", "schema/type", "A value of the wrong type.")
SCHEMA_REQUIRED = define("SC003", "schema/required", "A required field is missing.")
SCHEMA_RANGE = define("SC004", "schema/range", "A number outside its allowed range.")
SCHEMA_DURATION = define("SC005", "schema/duration", "A value that should be a duration such as 5m, 1h or 30d.")
SCHEMA_NAME = define("SC006", "schema/name", "A name that does not follow the naming rule of its kind.")
SCHEMA_VALUE = define("SC007", "schema/value", "A value that is not one of those allowed, or fields that exclude each other.")
