"""The positional loader: positions, YAML 1.1 scalars, merges, limits."""

from __future__ import annotations

import pytest
import yaml

from obs.diagnostics import ObsError, Position
from obs.load.yamlpos import key_position, load_documents, position_of


def test_positions_of_keys_values_and_items():
    docs, _ = load_documents("a: 1\nb:\n  - x: yes\n    y: 'no'\n  - 3.5\n", "f.yaml")
    data, pos = docs[0]
    assert pos == Position("f.yaml", 1, 1)
    assert data.val_pos["b"] == Position("f.yaml", 3, 3)
    assert data["b"].item_pos[1] == Position("f.yaml", 5, 5)
    assert position_of(data, ("b", 0, "y")) == Position("f.yaml", 4, 8)
    assert key_position(data, ("b", 0, "y")) == Position("f.yaml", 4, 5)


@pytest.mark.parametrize("text", [
    "a: yes\nb: 'yes'\nc: 1_000\nd: 0x1f\ne: 1.5e3\nf: ~\ng: .inf\nh: 2024-01-01\ni: 010\n",
    "a: [1, {b: c}, null, true, 'x']\n",
    "base: &b {x: 1, y: 2}\nder:\n  <<: *b\n  y: 3\n",
])
def test_same_values_as_pyyaml(text):
    docs, dups = load_documents(text, "f.yaml")
    expected = yaml.safe_load(text)
    expected.pop("h", None)
    got = dict(docs[0][0])
    if "h" in got:
        assert got.pop("h") == "2024-01-01"  # timestamps stay text: obs never wants a datetime
    assert got == expected
    assert dups == []


def test_duplicate_key_is_reported_where_it_repeats():
    _, dups = load_documents("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert [d.render() for d in dups] == [
        "f.yaml:3:1: error[YM005]: key 'a' appears twice in this mapping (first at line 1); YAML keeps only the last"]


def test_billion_laughs_is_refused_fast():
    bomb, prev = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n', "a"
    for n in "bcdefghij":
        bomb += f"{n}: &{n} [" + ",".join(["*" + prev] * 9) + "]\n"
        prev = n
    with pytest.raises(ObsError) as e:  # refused while counting, before anything is expanded
        load_documents(bomb, "bomb.yaml")
    assert e.value.diagnostics[0].code == "YM003"


def test_deep_nesting_is_refused_without_recursion():
    with pytest.raises(ObsError) as e:
        load_documents("[" * 50_000 + "]" * 50_000, "deep.yaml")
    assert e.value.diagnostics[0].code == "YM004"


def test_multi_document_files_keep_each_document_start():
    docs, _ = load_documents("a: 1\n---\nb: 2\n", "f.yaml")
    assert [p.line for _, p in docs] == [1, 3]


@pytest.mark.parametrize("text,where", [
    ("a: 1\nb: 2\nc: x\x00y\n", (3, 5)),
    ("a: ééé\nb: 2\nc: x\x00y\n", (3, 5)),  # the C parser counts bytes: columns are characters
    ("a: 1\n\x07\n", (2, 1)),
])
def test_a_control_character_is_reported_where_it_stands(text, where):
    with pytest.raises(ObsError) as e:
        load_documents(text, "f.yaml")
    d = e.value.diagnostics[0]
    assert (d.code, d.pos) == ("YM001", Position("f.yaml", *where))
    assert "control characters are not allowed" in d.message and d.hint
