"""Shared fixtures: a writable copy of the shop fixture, running obs, the promtool binary.

Import helpers with `from helpers import ...` (tests/ is on sys.path), not from conftest.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The suite tests the checkout it lives in, never another obs that happens to be installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")) if p)

# obs lint/compile cache loaded documents in the user's cache folder: the suite keeps its own, per run
if "OBS_CACHE_DIR" not in os.environ:
    import atexit
    import shutil
    import tempfile
    os.environ["OBS_CACHE_DIR"] = tempfile.mkdtemp(prefix="obs-test-cache-")
    atexit.register(shutil.rmtree, os.environ["OBS_CACHE_DIR"], True)

from helpers import EXAMPLE_SHOP, REPO, copy_shop_fixture, copy_tree, required_tool, run_obs  # noqa: E402,F401


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A writable copy of ../shared/fixtures/shop; skipped when ../shared is not beside the checkout."""
    return copy_shop_fixture(tmp_path / "shop")


@pytest.fixture
def example_shop(tmp_path: Path) -> Path:
    return copy_tree(EXAMPLE_SHOP, tmp_path / "example-shop")


@pytest.fixture(scope="session")
def promtool() -> str:
    return required_tool("promtool", "prometheus")


@pytest.fixture(scope="session")
def amtool() -> str:
    return required_tool("amtool", "prometheus-alertmanager")


@pytest.fixture(scope="session")
def kubectl() -> str:
    return required_tool("kubectl", "kubernetes-client")


@pytest.fixture(scope="session")
def search_servers():
    """`search_servers(kind, dist=None)`: a real Elasticsearch/OpenSearch (tests/logs/servers.py), started on
    first use and shared by every folder's tests in the session, all stopped at its end."""
    sys.path.insert(0, str(Path(__file__).resolve().parent / "logs"))
    from servers import SearchServer
    started: dict[str, SearchServer] = {}

    def get(kind: str, dist: str | None = None) -> SearchServer:
        key = dist or kind
        if key not in started:
            started[key] = SearchServer(kind, dist).start()
        return started[key]
    yield get
    for server in started.values():
        server.stop()
