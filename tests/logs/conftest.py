"""Session fixtures for log alerts: a real Elasticsearch and OpenSearch on 127.0.0.1, and ElastAlert 2's
own rule loader in its venv (scripts/setup-elasticsearch.sh and scripts/setup-elastalert.sh install them)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from servers import CACHE, SearchServer

HERE = Path(__file__).resolve().parent
EA_PYTHON = CACHE / "elastalert-venv" / "bin" / "python"


@pytest.fixture(scope="session")
def elasticsearch():
    server = SearchServer("elasticsearch").start()
    from elasticsearch import Elasticsearch, __versionstr__
    if __versionstr__.split(".")[0] != server.version.split(".")[0]:
        server.stop()
        pytest.fail(f"the elasticsearch client {__versionstr__} does not match server {server.version}: "
                    "install the matching major (pip install 'elasticsearch>=8,<9') or set OBS_ES_VERSIONS")
    yield Elasticsearch(server.url, request_timeout=30), server
    server.stop()


@pytest.fixture(scope="session")
def opensearch():
    server = SearchServer("opensearch").start()
    from opensearchpy import OpenSearch
    yield OpenSearch(server.url, timeout=30), server
    server.stop()


def elastalert_load(files: list[Path], host: str = "127.0.0.1", port: int = 9, env: dict | None = None) -> dict:
    """Load rule files with ElastAlert 2's FileRulesLoader.load_configuration (its own venv)."""
    if not EA_PYTHON.exists():
        pytest.fail(f"ElastAlert 2 is not installed in {EA_PYTHON.parent.parent}: run scripts/setup-elastalert.sh")
    proc = subprocess.run([str(EA_PYTHON), str(HERE / "ea_load.py"), host, str(port), *map(str, files)],
                          capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {Path(k).name: v for k, v in json.loads(proc.stdout).items()}
