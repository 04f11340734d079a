#!/usr/bin/env python3
"""Trim a CustomResourceDefinition to the JSON Schema tests validate generated objects with.

    scripts/crd-schema.py CRD.yaml VERSION SOURCE-URL TITLE > tests/schemas/NAME.json

Keeps the openAPIV3Schema of VERSION, drops descriptions and `x-kubernetes-*` markers (an
int-or-string becomes integer|string), and closes every object that lists its properties
(`additionalProperties: false`): the API server prunes unknown fields of a structural schema
without a word, so a field obs writes that the CRD does not know is a bug the test must see.
"""

from __future__ import annotations

import json
import sys

import yaml


def trim(node):
    if isinstance(node, list):
        return [trim(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "description" and isinstance(value, str) or key.startswith("x-kubernetes-"):
            continue
        out[key] = value if key == "enum" else trim(value)
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["type"] = ["integer", "string"]
    open_ended = node.get("x-kubernetes-preserve-unknown-fields")
    if "properties" in out and "additionalProperties" not in out and not open_ended:
        out["additionalProperties"] = False
    return out


class _Loader(yaml.SafeLoader):
    """PyYAML reads a bare `=` (a matchType enum value) as its `value` tag: keep it a string."""


_Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


def main(crd_file: str, version: str, source: str, title: str) -> None:
    crd = yaml.load(open(crd_file, encoding="utf-8"), Loader=_Loader)
    schema = next(v for v in crd["spec"]["versions"] if v["name"] == version)["schema"]["openAPIV3Schema"]
    head = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title,
            "$comment": f"Trimmed by scripts/crd-schema.py from {source} (CRD {crd['metadata']['name']}, "
                        f"version {version}, scope {crd['spec']['scope']})."}
    json.dump({**head, **trim(schema)}, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:5])
