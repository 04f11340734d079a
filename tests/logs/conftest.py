"""Session fixtures for log alerts: a real Elasticsearch and OpenSearch on 127.0.0.1, and ElastAlert 2's
own rule loader in its venv (scripts/setup-elasticsearch.sh and scripts/setup-elastalert.sh install them)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def elasticsearch(search_servers):
    server = search_servers("elasticsearch")  # shared with tests/live (the root conftest stops it)
    from elasticsearch import Elasticsearch, __versionstr__
    if __versionstr__.split(".")[0] != server.version.split(".")[0]:
        pytest.fail(f"the elasticsearch client {__versionstr__} does not match server {server.version}: "
                    "run scripts/test.sh (it installs the client pinned in constraints.txt) or set OBS_ES_VERSIONS")
    yield Elasticsearch(server.url, request_timeout=30), server


@pytest.fixture(scope="session")
def opensearch(search_servers):
    server = search_servers("opensearch")
    from opensearchpy import OpenSearch
    yield OpenSearch(server.url, timeout=30), server
