"""The docs a user needs live in the project: links resolve inside the checkout (a clone has no
../shared), and docs/reference.md names every command and target obs has."""

from __future__ import annotations

import re

import pytest
from helpers import REPO

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_resolve_inside_the_checkout(doc):
    bad = []
    for target in LINK.findall(doc.read_text("utf-8")):
        if re.match(r"^[a-z]+:", target):
            continue  # https:, mailto:
        path = (doc.parent / target).resolve()
        if not path.is_relative_to(REPO) or not path.exists():
            bad.append(target)
    assert not bad, f"{doc.name} links to what a clone does not have: {bad}"


def test_the_reference_names_every_command_and_target():
    from obs import cli
    from obs.project import ALL_TARGETS
    text = (REPO / "docs" / "reference.md").read_text("utf-8")
    commands = {(c.name or c.callback.__name__).rstrip("_") for c in cli.app.registered_commands}
    assert not [c for c in commands if f"`obs {c}" not in text]
    assert not [t for t in ALL_TARGETS if f"| `{t}` |" not in text]
