"""Each string is written in the style a person would choose — and every reader obs writes for
reads it back as the very same string: PyYAML's C and pure loaders (ElastAlert), Go yaml.v2
(Alertmanager, kubectl) and yaml.v3 (Prometheus rule files), and promtool itself."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import run_obs
from yaml_corpus import PROMQL, corpus, fixed

from obs import yamlout, yamlstyle
from obs.yamlout import Comment, dump, dump_all

CORPUS = corpus()
GOYAML = Path(__file__).resolve().parent / "goyaml"


def document(s: str) -> dict:
    """The string in every place it can stand: value, key, sequence item, nested at each depth."""
    doc = {"k": s, "seq": [s, {"x": s, "nested": {"y": s}}, [s], [[s]]]}
    if len(s) <= 500:  # YAML's implicit keys stop at 1024 characters
        doc[s] = s
    return doc


DOCS = [document(s) for s in CORPUS]


def value_of(line_after_key: str) -> str:
    return dump({"k": line_after_key})[3:]


@pytest.mark.parametrize(("loader", "step"), [(getattr(yaml, "CSafeLoader", yaml.SafeLoader), 1),
                                              (yaml.SafeLoader, 3)])  # slow: a third of the random ones
def test_pyyaml_reads_back_every_string_of_the_corpus(loader, step):
    wrong, chosen = [], set(fixed())
    for s, doc in [(s, d) for i, (s, d) in enumerate(zip(CORPUS, DOCS)) if s in chosen or i % step == 0]:
        text = dump(doc)
        try:
            back = yaml.load(text, Loader=loader)
        except yaml.YAMLError as e:
            back = f"error: {e}"
        if back != doc:
            wrong.append((s, text))
    assert wrong == [], f"{len(wrong)} of {len(CORPUS)} strings read back differently, first: {wrong[:3]}"


@pytest.fixture(scope="module")
def yamlread(tmp_path_factory) -> Path:
    """tests/unit/goyaml built with this machine's Go (yaml.v2/v3 from the module cache or proxy)."""
    go = shutil.which("go") or ("/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists() else None)
    if go is None:
        pytest.skip("go is not installed: Go yaml.v2/v3 reading is not checked")
    folder = tmp_path_factory.mktemp("goyaml")
    for name in ("main.go", "go.mod", "go.sum"):
        shutil.copy(GOYAML / name, folder / name)
    env = {**os.environ, "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local", "CGO_ENABLED": "0"}
    built = subprocess.run([go, "build", "-o", str(folder / "yamlread"), "."], cwd=folder, env=env,
                           capture_output=True, text=True, timeout=300)
    if built.returncode != 0:
        pytest.skip(f"tests/unit/goyaml does not build here (no module proxy?): {built.stderr.strip()[:300]}")
    return folder / "yamlread"


def test_go_yaml_v2_and_v3_read_back_every_string_of_the_corpus(yamlread, tmp_path):
    path = tmp_path / "corpus.yaml"
    path.write_text(dump_all(DOCS), "utf-8")
    read = json.loads(subprocess.run([str(yamlread), str(path)], capture_output=True, text=True, check=True).stdout)
    for version in ("v2", "v3"):
        got = read[version]
        assert len(got) == len(DOCS), f"{version} stopped at document {len(got)}: {got[-1]!r}"
        wrong = [(CORPUS[i], g) for i, (g, d) in enumerate(zip(got, DOCS)) if g != d]
        assert wrong == [], f"yaml.{version}: {len(wrong)} strings read back differently, first: {wrong[:3]}"


def test_go_yaml_reads_numbers_as_numbers(yamlread, tmp_path):
    numbers = {"f": [1e-09, 1e20, 0.1, -2.5, 123456789.0, 1.5e-07], "i": [0, -3, 2**40], "b": [True, False, None]}
    path = tmp_path / "n.yaml"
    path.write_text(dump(numbers))
    assert yaml.safe_load(path.read_text()) == numbers
    read = json.loads(subprocess.run([str(yamlread), str(path)], capture_output=True, text=True, check=True).stdout)
    for version in ("v2", "v3"):
        doc = read[version][0]
        assert [float(x["!float"]) for x in doc["f"]] == numbers["f"]
        assert [int(x["!int"]) for x in doc["i"]] == numbers["i"] and doc["b"] == [True, False, None]


def _promql_string(s: str) -> str:
    """A PromQL (Go) string literal in ASCII: \\u and \\U escapes, no JSON surrogate pairs."""
    def char(c: str) -> str:
        if c in '"\\':
            return "\\" + c
        if " " <= c <= "~":
            return c
        return f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}"
    return '"' + "".join(map(char, s)) + '"'



def test_promtool_reads_every_label_value_of_the_corpus(tmp_path, promtool):
    """Recording rules labelled with the corpus; promtool's own unit test (its file written as
    escaped JSON, not by obs) expects each value back exactly as it is."""
    values = [s for s in CORPUS if s][:600]  # an empty label value is no label in Prometheus
    rules = {"groups": [{"name": "corpus", "rules": [
        {"record": f"r_{i}", "expr": "vector(1)", "labels": {"v": s}} for i, s in enumerate(values)]}]}
    (tmp_path / "rules.yaml").write_text(dump(rules), "utf-8")
    checked = subprocess.run([promtool, "check", "rules", "rules.yaml"], cwd=tmp_path, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tests = {"rule_files": ["rules.yaml"], "evaluation_interval": "1m", "tests": [{"interval": "1m", "input_series": [],
             "promql_expr_test": [{"expr": f"r_{i}", "eval_time": "0m", "exp_samples": [
                 {"labels": f"r_{i}{{v={_promql_string(s)}}}", "value": 1}]} for i, s in enumerate(values)]}]}
    (tmp_path / "test.yaml").write_text(json.dumps(tests))
    result = subprocess.run([promtool, "test", "rules", "test.yaml"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_promtool_parses_the_folded_and_literal_expressions(tmp_path, promtool, yamlread):
    exprs = PROMQL + [" + ".join(["sum(rate(x[5m]))"] * 12), "(" * 30 + "up" + ")" * 30]
    rules = {"groups": [{"name": "g", "rules": [{"record": f"r{i}", "expr": e} for i, e in enumerate(exprs)]}]}
    text = dump(rules)
    assert ">-\n" in text and "|" in text
    (tmp_path / "r.yaml").write_text(text)
    checked = subprocess.run([promtool, "check", "rules", "r.yaml"], cwd=tmp_path, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    read = json.loads(subprocess.run([str(yamlread), str(tmp_path / "r.yaml")], capture_output=True, text=True,
                                     check=True).stdout)
    assert [r["expr"] for r in read["v3"][0]["groups"][0]["rules"]] == exprs


@pytest.mark.parametrize(("value", "written"), [
    ('sum(rate(x{a="b"}[5m]))', 'sum(rate(x{a="b"}[5m]))'),
    ('up{job="a:b"} == 0', 'up{job="a:b"} == 0'),
    ("slo:sli_error:ratio_rate5m", "slo:sli_error:ratio_rate5m"),
    ("5m", "5m"), ("1h30m", "1h30m"), ("it's", "it's"), ("{{ $labels.pod }} is down", "'{{ $labels.pod }} is down'"),
    ("yes", "'yes'"), ("On", "'On'"), ("y", "'y'"), ("null", "'null'"), ("~", "'~'"), ("1", "'1'"), ("1e3", "'1e3'"),
    ("0x1f", "'0x1f'"), ("1_000", "'1_000'"), ("2026-01-01", "'2026-01-01'"), ("12:30", "'12:30'"), (".inf", "'.inf'"),
    ("<<", "'<<'"), ("=", "'='"), ("", "''"), ("a: b", "'a: b'"), ("a #b", "'a #b'"), ("x:", "'x:'"),
    ("- x", "'- x'"), ("*a", "'*a'"), ("{a}", "'{a}'"), ("'q'", "\"'q'\""), ('"q"', "'\"q\"'"), (" lead", "' lead'"),
    ("1 - (sum(rate(e[5m])) / sum(rate(t[5m])))", "'1 - (sum(rate(e[5m])) / sum(rate(t[5m])))'"),
    ("tab\there", '"tab\\there"'), ("a\r\nb", '"a\\r\\nb"'), ("bell\x07", '"bell\\u0007"'), ("a\u2028b", '"a\\u2028b"'),
    ("${SECRET}", '"${SECRET}"'), ("https://obs.invalid/${HOOK}", '"https://obs.invalid/${HOOK}"'),
    ("a\nb", "|-\n  a\n  b"), ("a\n", "|\n  a"), ("a\n\n", "|+\n  a\n"), (" a\nb", "|2-\n   a\n  b"),
    ('x\\d "q"', 'x\\d "q"'),
])
def test_the_style_of_each_string(value, written):
    assert value_of(value) == written + "\n"
    assert yaml.safe_load(dump({"k": value})) == {"k": value}


def test_promql_is_written_without_a_backslash_and_long_lines_are_folded_at_its_operators():
    expr = PROMQL[8]  # the two-window burn-rate alert, 300 characters on one line
    text = dump({"groups": [{"name": "g", "rules": [{"alert": "A", "expr": expr}]}]})
    assert "\\" not in text
    lines = text.split("expr: >-\n", 1)[1].splitlines()
    assert [line.strip().split(" ", 1)[0] for line in lines] == [
        '(slo:sli_error:ratio_rate1h{service="checkout",', "and", "or", "and"]
    assert all(len(line.strip()) <= yamlstyle.HARD for line in lines)
    assert yaml.safe_load(text)["groups"][0]["rules"][0]["expr"] == expr


def test_folding_never_breaks_inside_a_promql_string():
    expr = 'sum(rate(x{msg="' + "a b " * 40 + '"}[5m])) / ' + "y " * 10 + "+ 1"
    text = value_of(expr)
    assert text.startswith(">-\n")
    quoted = expr[expr.index('"'):expr.rindex('"') + 1]
    assert quoted in text and yaml.safe_load("k: " + text) == {"k": expr}


def test_a_long_line_without_a_place_to_break_stays_one_line():
    url = "https://grafana.example.com/d/" + "x" * 200
    assert value_of(url) == url + "\n"
    assert value_of("[" + "x," * 100 + "]") == "'[" + "x," * 100 + "]'\n"


def test_output_is_the_same_whatever_the_caches_hold():
    first = dump_all(DOCS[:400])
    for cache in (yamlout._LINES, yamlout._FLAT, yamlstyle._WORD, yamlstyle._FOLDED):
        cache.clear()
    assert dump_all(DOCS[:400]) == first
    # 1 == True == 1.0 in Python: a cached label set of strings must not stand in for one of numbers
    assert dump({"a": {"x": "1"}, "b": {"x": 1}, "c": {"x": True}, "d": {"x": 1.0}}) == \
        "a:\n  x: '1'\nb:\n  x: 1\nc:\n  x: true\nd:\n  x: 1.0\n"


def test_comments_stand_before_the_dash_and_in_place():
    data = {"rules": [{Comment("source: a.yaml:3:1"): None, "record": "r", Comment("mid"): None, "expr": "up"}],
            "nested": [[{Comment("c"): None, "a": 1}]], "only": {Comment("x"): None}}
    text = dump(data, header="generated\nby obs")
    assert text == ("# generated\n# by obs\nrules:\n# source: a.yaml:3:1\n- record: r\n  # mid\n  expr: up\n"
                    "nested:\n-\n  # c\n  - a: 1\nonly: {}\n")
    assert yaml.safe_load(text) == {"rules": [{"record": "r", "expr": "up"}], "nested": [[{"a": 1}]], "only": {}}


def test_every_yaml_file_of_the_compiled_shop_reads_the_same_in_go_and_pyyaml(shop, yamlread):
    assert run_obs("compile", cwd=shop).returncode == 0
    files = sorted(p for p in (shop / "out").rglob("*") if p.suffix in (".yaml", ".yml"))
    assert len(files) > 20
    for path in files:
        python = list(yaml.safe_load_all(path.read_text("utf-8")))
        read = json.loads(subprocess.run([str(yamlread), str(path)], capture_output=True, text=True,
                                         check=True).stdout)
        assert _tagged(read["v2"]) == _tagged(read["v3"]) == _tagged(python), path.relative_to(shop)


def _tagged(value):
    """Python's and the Go reader's values in one form: ints and floats tagged as the reader tags them."""
    if isinstance(value, dict):
        if value.keys() == {"!float"}:
            return {"!float": float(value["!float"])}
        return {k: _tagged(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tagged(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return {"!int": str(value)}
    if isinstance(value, float):
        return {"!float": value}
    return f"!{type(value).__name__}:{value}"
