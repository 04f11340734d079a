"""One copy of examples/shop per module, with each profile rendered once (rendering compiles the
project: a few seconds each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bootstrap.bootstrap_helpers import render_here
from tests.helpers import EXAMPLE_SHOP, copy_tree, run_obs

PROFILES = ("kubesphere", "kube-prometheus", "standalone")


@pytest.fixture(scope="module")
def shop_project(tmp_path_factory) -> Path:
    root = copy_tree(EXAMPLE_SHOP, tmp_path_factory.mktemp("bootstrap") / "shop")
    assert run_obs("compile", cwd=root).returncode == 0
    return root


@pytest.fixture(scope="module")
def rendered(shop_project: Path) -> dict[str, Path]:
    out = {}
    for profile in PROFILES:
        render_here(shop_project, profile, shop_project / "stack" / profile)
        out[profile] = shop_project / "stack" / profile
    return out
