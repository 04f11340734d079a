"""obs/jsonindent.py must write exactly what json.dumps(indent=2, ensure_ascii=False) writes."""

from __future__ import annotations

import json
import random

import pytest

from obs import jsonindent

SCALARS = [None, True, False, 0, -5, 10**20, 1.5, 1e300, 1e-7, 2.0, float("nan"), float("inf"), -float("inf"),
           "", "s", "é ünïcode", "\u2028\x00\"\\\n\t", "</script>"]


def _random(rng: random.Random, depth: int = 0) -> object:
    r = rng.random()
    if depth < 5 and r < 0.25:
        return {rng.choice(["a", "b", "é", '"q', "x\n", ""]) + str(rng.randint(0, 30)): _random(rng, depth + 1)
                for _ in range(rng.randint(0, 5))}
    if depth < 5 and r < 0.5:
        return [_random(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    return rng.choice(SCALARS + [(1, 2)])


@pytest.mark.parametrize("sort_keys", [True, False])
def test_same_text_as_json_on_random_data(sort_keys: bool) -> None:
    rng = random.Random(18)
    for _ in range(3000):
        data = _random(rng)
        assert jsonindent.dumps(data, sort_keys=sort_keys) == json.dumps(
            data, indent=2, sort_keys=sort_keys, ensure_ascii=False)


def test_unusual_data_is_json_s_own() -> None:
    """Non-string keys, tuples, str subclasses and deep nesting go to json.dumps itself."""
    class Name(str):
        pass

    deep: list = []
    node = deep
    for _ in range(700):
        node.append([])
        node = node[0]
    for data in ({1: "a", 2: "b"}, {"t": (1, 2)}, {"n": Name("x")}, deep):
        assert jsonindent.dumps(data, sort_keys=True) == json.dumps(data, indent=2, sort_keys=True,
                                                                    ensure_ascii=False)


def test_cycles_raise_as_json_does() -> None:
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError):
        jsonindent.dumps(loop)
