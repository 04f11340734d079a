"""A plain clone has no ../shared beside it: the suite must skip (with the reason) what needs the
shared fixture, never error. Every use goes through helpers.copy_shop_fixture, which skips."""

from __future__ import annotations

import ast

from helpers import REPO

TESTS = REPO / "tests"
ALLOWED = {TESTS / "helpers.py"}  # defines SHOP_FIXTURE and the skipping copy_shop_fixture


def _direct_uses(path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Name) and node.id == "SHOP_FIXTURE" or \
                isinstance(node, ast.alias) and node.name == "SHOP_FIXTURE":
            found.append(f"{path.relative_to(REPO)}:{node.lineno}: SHOP_FIXTURE")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and \
                any(isinstance(side, ast.Constant) and side.value == "shared" for side in (node.left, node.right)):
            found.append(f"{path.relative_to(REPO)}:{node.lineno}: a path into ../shared")
    return found


def test_the_shared_fixture_is_only_reached_through_the_skipping_helper():
    uses = [u for p in sorted(TESTS.rglob("*.py")) if p not in ALLOWED for u in _direct_uses(p)]
    assert not uses, "use the `shop` fixture or helpers.copy_shop_fixture (it skips without ../shared): " \
                     + "; ".join(uses)
