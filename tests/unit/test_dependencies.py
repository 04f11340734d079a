"""Dependencies a fresh machine resolves are the ones the tests ran with: ranges in pyproject.toml,
exact pins in constraints.txt, and no server client among obs's own dependencies."""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import tomllib

import pytest
from helpers import REPO
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
RUNTIME = [Requirement(r) for r in PROJECT["dependencies"]]
TEST = [Requirement(r) for r in PROJECT["optional-dependencies"]["test"]]
#: the module each runtime distribution is imported as, where the names differ
MODULES = {"pyyaml": "yaml", "jsonnet": "_jsonnet", "promql-parser": "promql_parser"}
SEARCH_CLIENTS = {"elasticsearch": "elasticsearch", "opensearch-py": "opensearchpy"}


def _pins() -> dict[str, str]:
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f"constraints.txt: {line!r} is not an exact pin (name==version)"
            pins[canonicalize_name(name)] = version
    return pins


def _imports_of_obs() -> set[str]:
    found = set()
    for path in (REPO / "obs").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


def _server_major(variable: str) -> str:
    """The major of the first default version scripts/setup-elasticsearch.sh fetches."""
    script = (REPO / "scripts" / "setup-elasticsearch.sh").read_text()
    match = re.search(rf'{variable}:-(\d+)\.', script)
    assert match, f"no default {variable} in scripts/setup-elasticsearch.sh"
    return match.group(1)


def test_search_clients_are_test_only_and_match_the_test_server_major():
    """elasticsearch-py refuses a server of another major: `>=8,<10` resolved 9.x against an 8.19 server."""
    assert not {canonicalize_name(r.name) for r in RUNTIME} & set(SEARCH_CLIENTS), \
        "obs talks to servers over plain HTTP; the official clients belong to the [test] extra"
    es = next(r for r in TEST if canonicalize_name(r.name) == "elasticsearch")
    major = int(_server_major("OBS_ES_VERSIONS"))
    assert es.specifier.contains(f"{major}.19.3") and not es.specifier.contains(f"{major + 1}.0.0"), es


def test_obs_imports_no_server_client():
    """The live code must not depend on a client's major (validate meets ES 7.17, 8, 9 and OpenSearch 2)."""
    assert not _imports_of_obs() & {*SEARCH_CLIENTS.values(), "prometheus_api_client"}


def test_every_runtime_dependency_is_used_by_obs():
    imported = _imports_of_obs()
    unused = [str(r) for r in RUNTIME if MODULES.get(canonicalize_name(r.name), r.name) not in imported]
    assert not unused, f"runtime dependencies obs never imports: {unused}"


@pytest.mark.parametrize("req", RUNTIME + TEST, ids=str)
def test_every_dependency_has_an_exact_pin_inside_its_range(req):
    pins = _pins()
    name = canonicalize_name(req.name)
    assert name in pins, f"{req.name} has no pin in constraints.txt: run scripts/freeze-constraints.py"
    assert req.specifier.contains(pins[name]), f"constraints.txt pins {req.name}=={pins[name]}, outside {req}"


@pytest.mark.parametrize("req", RUNTIME + TEST, ids=str)
def test_the_installed_version_is_the_one_declared(req):
    """The suite runs with what pyproject declares (a stale machine passed while a fresh one failed)."""
    try:
        installed = md.version(req.name)
    except md.PackageNotFoundError:
        pytest.fail(f"{req.name} is not installed: run scripts/test.sh")
    assert req.specifier.contains(installed), f"{req.name} {installed} is installed, pyproject wants {req}"
