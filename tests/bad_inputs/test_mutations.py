"""No input a user can write makes obs crash: seeded random mutations of every document of
examples/shop (keys dropped or renamed, values of the wrong type, odd strings) go through the
whole pipeline — load, parse, resolve, every target, every check — and must end in
diagnostics, never in an exception."""

from __future__ import annotations

import copy
import random
from pathlib import Path

import pytest
import yaml
from helpers import EXAMPLE_SHOP, copy_tree

from obs.diagnostics import ObsError
from obs.pipeline import build

ODD = [None, True, 0, -1, 1e308, "", " ", "x" * 300, "中文", "{{ $labels.x }}", "${X}", "[", "5m", "sum(",
       [], [1, "a", None], {}, {"env": "X"}, {"secret": {"name": "n"}}, {"a": {"b": [{}]}}]
MUTATIONS = 240


def _nodes(data, path=()):
    yield path, data
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _nodes(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _nodes(v, path + (i,))


def _mutate(doc, rng: random.Random):
    doc = copy.deepcopy(doc)
    nodes = [(p, n) for p, n in _nodes(doc) if p]
    path, _ = rng.choice(nodes)
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    key, action = path[-1], rng.choice(["replace", "replace", "drop", "rename", "wrap"])
    if action == "drop" or (action == "rename" and not isinstance(parent, dict)):
        del parent[key]
    elif action == "rename":
        parent[str(key) + rng.choice(["s", "_", "X"])] = parent.pop(key)
    elif action == "wrap":
        parent[key] = [parent[key]]
    else:
        parent[key] = copy.deepcopy(rng.choice(ODD))
    return doc


def _sources() -> list[tuple[str, list]]:
    files = sorted(p for p in EXAMPLE_SHOP.rglob("*.yaml") if "tests" not in p.parts and "k8s" not in p.parts)
    return [(str(p.relative_to(EXAMPLE_SHOP)), list(yaml.safe_load_all(p.read_text("utf-8")))) for p in files]


@pytest.mark.parametrize("batch", range(4))
def test_mutated_repositories_give_diagnostics_not_exceptions(tmp_path: Path, batch: int):
    rng = random.Random(20261127 + batch)
    sources = _sources()
    repo = copy_tree(EXAMPLE_SHOP, tmp_path / "repo")
    crashes = []
    for n in range(MUTATIONS // 4):
        rel, docs = rng.choice(sources)
        index = rng.randrange(len(docs))
        mutated = docs[:index] + [_mutate(docs[index], rng)] + docs[index + 1:]
        (repo / rel).write_text(yaml.safe_dump_all(mutated, allow_unicode=True, sort_keys=False))
        try:
            build(repo)
        except ObsError:
            pass
        except Exception as e:  # noqa: BLE001 - any other exception is the defect this test finds
            crashes.append(f"{rel} mutation {n}: {type(e).__name__}: {e}")
        finally:
            (repo / rel).write_text((EXAMPLE_SHOP / rel).read_text("utf-8"))
    assert crashes == []
