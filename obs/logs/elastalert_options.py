"""ElastAlert 2's real option set, for linting rules kept from ElastAlert files.

ElastAlert's schema has no `additionalProperties: false`, so a typo such as `num_event` loads
and silently does nothing. The names come from the installed package itself — every property
of schema.yaml plus every option its loader, rule types and alerters read — extracted by
`extract()` into elastalert_options.txt; tests/logs re-extract them from the real package
and fail when the list is stale (`python -m obs.logs.elastalert_options PACKAGE_DIR` rewrites it).
"""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

import yaml

DATA = Path(__file__).with_name("elastalert_options.txt")
#: options read as `rule.get("x")`, `rule["x"]`, `self.rules.get("x")`, `'x' in rule` …
_READ = re.compile(r"""\b(?:rule|rules|self\.rule|self\.rules|conf|alert_config)\s*(?:\.get\(|\[)\s*"""
                   r"""['"]([a-z][a-z0-9_]*)['"]""")
_IN = re.compile(r"""['"]([a-z][a-z0-9_]*)['"]\s+(?:not\s+)?in\s+(?:self\.)?rules?\b""")


def _schema_properties(node, out: set[str]) -> None:
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            out.update(k for k in props if isinstance(k, str))
        for key, value in node.items():
            if key != "definitions":
                _schema_properties(value, out)
    elif isinstance(node, list):
        for item in node:
            _schema_properties(item, out)


def extract(package: Path) -> set[str]:
    """Every top-level rule option the installed ElastAlert 2 package knows."""
    names: set[str] = set()
    schema = yaml.safe_load((package / "schema.yaml").read_text())
    top = schema.get("properties", {})
    names.update(top)
    for branch in schema.get("oneOf", []) + schema.get("anyOf", []) + schema.get("allOf", []):
        names.update((branch.get("properties") or {}).keys())
    modules = ("loaders.py", "ruletypes.py", "elastalert.py", "alerts.py", "enhancements.py")
    sources = [package / name for name in modules]
    sources += sorted((package / "alerters").glob("*.py"))
    for src in sources:
        text = src.read_text()
        names.update(_READ.findall(text))
        names.update(_IN.findall(text))
    names.update({"import", "rule_file", "is_enabled"})
    return {n for n in names if re.fullmatch(r"[a-z][a-z0-9_]*", n)}


@functools.cache
def known() -> frozenset[str]:
    lines = (line.strip() for line in DATA.read_text().splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def write(names: set[str], version: str) -> None:
    DATA.write_text(f"# ElastAlert 2 {version} rule options, extracted by obs.logs.elastalert_options\n"
                    + "\n".join(sorted(names)) + "\n")


if __name__ == "__main__":
    pkg = Path(sys.argv[1])
    write(extract(pkg), sys.argv[2] if len(sys.argv) > 2 else "?")
