"""The document cache (obs/load/doccache.py) never changes a byte of out/ nor a diagnostic:
a cached and an uncached compile agree after edits, deletions, renames and obs.yaml changes,
and a broken entry is ignored, never an error."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from obs.commands.compile import compile_project
from obs.load.doccache import DocCache
from obs.load.yamlpos import load_documents

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from generate import generate  # noqa: E402

SLOTH = """version: prometheus/v1
service: checkout
labels: {owner: team-0}
slos:
  - name: requests
    objective: 99.5
    sli:
      events:
        error_query: sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{job="checkout"}[{{.window}}]))
    alerting:
      name: CheckoutErrors
      page_alert: {labels: {severity: critical}}
      ticket_alert: {labels: {severity: warning}}
"""

#: odd YAML the cache must carry exactly: duplicate key, merge, alias, odd scalars, two documents
ODD = """apiVersion: obs/v1
kind: Service
metadata: {name: odd, team: team-0}
metadata: {name: odd, team: team-0}
spec:
  namespace: ns-0
  labels: {a: 0x1f, b: 010, c: .inf, d: "-0.0", e: ~, f: yes, g: "\\u00e9"}
"""


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def both(root: Path, tmp: Path) -> tuple[list[str], dict[str, bytes]]:
    """Compile a copy without the cache and the project with it; assert they agree."""
    plain = tmp / "plain"
    shutil.rmtree(plain, ignore_errors=True)
    shutil.copytree(root, plain, ignore=shutil.ignore_patterns("out"))
    d1, w1, _ = compile_project(plain, cache=False)
    d2, w2, _ = compile_project(root, cache=True)
    r1 = [d.render().replace(str(plain), "ROOT") for d in d1]
    r2 = [d.render().replace(str(root), "ROOT") for d in d2]
    assert r1 == r2
    assert (w1 is None) == (w2 is None)
    if w1 is not None:  # with errors compile writes nothing, and out/ keeps the last good compile
        assert tree(plain / "out") == tree(root / "out")
    return r2, tree(root / "out")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OBS_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "repo"
    generate(root, 3, 1, "prometheus, grafana, elastalert")
    (root / "obs.yaml").write_text((root / "obs.yaml").read_text().replace('"channels.yaml"', '"channels.yaml", '
                                                                           '"slos/*.yaml"'))
    (root / "slos").mkdir()
    (root / "slos" / "checkout.yaml").write_text(SLOTH)
    return root


def test_cached_and_uncached_compiles_agree_through_edits(repo: Path, tmp_path: Path) -> None:
    first = both(repo, tmp_path)
    assert list((tmp_path / "cache").rglob("*.json")), "the first compile wrote entries"
    assert both(repo, tmp_path) == first  # every file from the cache now
    svc = repo / "services" / "svc-1.yaml"
    svc.write_text(svc.read_text().replace("objective: 99.9", "objective: 99.5"))  # an edit
    edited = both(repo, tmp_path)
    assert edited[1] != first[1]
    (repo / "services" / "svc-2.yaml").unlink()  # a deletion
    both(repo, tmp_path)
    (repo / "services" / "svc-0.yaml").rename(repo / "services" / "renamed.yaml")  # a rename: positions name it
    both(repo, tmp_path)
    (repo / "obs.yaml").write_text((repo / "obs.yaml").read_text().replace("cluster: bench", "cluster: other"))
    changed = both(repo, tmp_path)
    assert changed[1] != edited[1]
    (repo / "services" / "odd.yaml").write_text(ODD)  # findings (a duplicate key) come from the cache alike
    for _ in range(2):
        diags, _ = both(repo, tmp_path)
        assert any("services/odd.yaml:4:1: error[YM005]" in d for d in diags)
    svc.write_text(svc.read_text().replace("objective: 99.5", "objective: ["))  # broken YAML is never cached
    broken = both(repo, tmp_path)
    assert any("services/svc-1.yaml" in d and "error" in d for d in broken[0])


def test_unchanged_files_are_not_parsed_again(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = compile_project(repo, cache=True)
    out = tree(repo / "out")
    from obs.load import doccache

    def refuse(*_):
        raise AssertionError("parsed again")
    monkeypatch.setattr(doccache, "load_with_aliases", refuse)
    again = compile_project(repo, cache=True)
    assert [d.render() for d in again[0]] == [d.render() for d in first[0]] and tree(repo / "out") == out


def test_a_broken_entry_is_ignored_and_rewritten(repo: Path, tmp_path: Path) -> None:
    first = both(repo, tmp_path)
    entries = sorted((tmp_path / "cache").rglob("*.json"))
    garbage = [b"", b"{not json", b'[[[1,1,["d",1,1,[["x"],1,1,1,1,2]]]],[]]', b'[[[1,1,{"a":1}]],[]]',
               b'[[[1,1,["q",1,1,[]]]],[]]', b"\xff\xfe"]
    for entry, junk in zip(entries, garbage * len(entries)):
        entry.write_bytes(junk)
    assert both(repo, tmp_path) == first
    assert all(e.read_bytes() not in garbage for e in entries)  # loaded afresh, written again


def test_entries_load_to_the_same_documents(tmp_path: Path) -> None:
    cache = DocCache(tmp_path)
    raw = ODD.encode() + b"---\n- [1, 2.5, -3]\n- {x: null}\n"
    fresh = load_documents(raw, "f.yaml")
    assert cache.load(raw, "f.yaml") == fresh and cache.misses == 1
    got = cache.load(raw, "f.yaml")
    assert cache.hits == 1 and got == fresh
    (docs, _), (cached, _) = fresh, got
    assert [d.key_pos for d, _ in docs[:1]] == [d.key_pos for d, _ in cached[:1]]
    assert [d.val_pos for d, _ in docs[:1]] == [d.val_pos for d, _ in cached[:1]]
    assert docs[1][0].item_pos == cached[1][0].item_pos and docs[1][0][1].pos == cached[1][0][1].pos
    assert isinstance(cached[0][0]["spec"]["labels"]["c"], float)


def test_aliases_are_not_cached(tmp_path: Path) -> None:
    cache = DocCache(tmp_path)
    cache.load(b"a: &x {k: 1}\nb: *x\n", "f.yaml")
    assert not list(tmp_path.rglob("*.json"))


def test_no_cache_reads_and_writes_nothing(repo: Path, tmp_path: Path) -> None:
    compile_project(repo, cache=False)
    assert not (tmp_path / "cache").exists()


def test_an_unwritable_cache_folder_is_no_error(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("OBS_CACHE_DIR", str(blocker / "cache"))
    diags, written, _ = compile_project(repo, cache=True)
    assert written is not None and not any(d.severity.value == "error" for d in diags)
