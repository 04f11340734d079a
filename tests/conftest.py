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
