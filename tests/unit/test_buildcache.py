"""The whole-build cache (obs/buildcache.py) never changes a byte of out/ nor a finding:
a compile or lint from the cache agrees with one without it through edits, obs.yaml changes,
new files, suppression comments and a changed obs; a corrupt or foreign entry is ignored;
and `obs lint`, which leaves out the targets nobody reads, reports what compile reports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from obs import buildcache
from obs.commands.compile import compile_project
from obs.commands.lint import lint
from tests.helpers import copy_shop_fixture

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate  # noqa: E402


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def rendered(diags, root: Path) -> list[str]:
    return [d.render().replace(str(root), "ROOT") for d in diags]


def both(root: Path, tmp: Path) -> tuple[list[str], dict[str, bytes]]:
    """A --no-cache compile and lint of a fresh copy against the cached ones of the project."""
    plain = tmp / "plain"
    shutil.rmtree(plain, ignore_errors=True)
    shutil.copytree(root, plain, ignore=shutil.ignore_patterns("out"))
    d1, w1, _ = compile_project(plain, cache=False)
    d2, w2, _ = compile_project(root, cache=True)
    assert rendered(d1, plain) == rendered(d2, root)
    assert (w1 is None) == (w2 is None)
    if w1 is not None:
        assert tree(plain / "out") == tree(root / "out")
    assert rendered(lint(root, None, cache=True), root) == rendered(d2, root)
    assert rendered(lint(plain, None, cache=False), plain) == rendered(d1, plain)
    return rendered(d2, root), tree(root / "out")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OBS_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "repo"
    generate(root, 4, 1, "prometheus, grafana, elastalert")
    return root


def entries(tmp: Path) -> list[Path]:
    return sorted((tmp / "cache" / "builds").glob("*.json"))


def test_a_second_compile_is_not_built(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = both(repo, tmp_path)
    assert entries(tmp_path)
    import obs.commands.compile
    import obs.commands.lint

    def refuse(*_, **__):
        raise AssertionError("built again")
    monkeypatch.setattr(obs.commands.compile, "build", refuse)
    monkeypatch.setattr(obs.commands.lint, "build", refuse)
    diags, written, _ = compile_project(repo, cache=True)
    assert rendered(diags, repo) == first[0] and tree(repo / "out") == first[1]
    assert written.written == [] and len(written.unchanged) == len(first[1]) - 1  # all but the manifest
    assert rendered(lint(repo, None, cache=True), repo) == first[0]


def test_edits_new_files_and_obs_yaml_invalidate(repo: Path, tmp_path: Path) -> None:
    first = both(repo, tmp_path)
    svc = repo / "services" / "svc-1.yaml"
    svc.write_text(svc.read_text().replace("objective: 99.9", "objective: 99.5"))
    edited = both(repo, tmp_path)
    assert edited[1] != first[1]
    (repo / "obs.yaml").write_text((repo / "obs.yaml").read_text().replace("cluster: bench", "cluster: other"))
    changed = both(repo, tmp_path)
    assert changed[1] != edited[1] and b"cluster: other" in changed[1]["prometheus/svc-0.rules.yaml"]
    shutil.copy(svc, repo / "services" / "svc-9.yaml")  # a new file the glob finds: a duplicate
    dup = both(repo, tmp_path)
    assert dup[0] != changed[0]
    (repo / "services" / "svc-9.yaml").unlink()
    assert both(repo, tmp_path) == changed
    (repo / "services" / "sub").mkdir()
    (repo / "services" / "sub" / "x.yaml").write_text("a: 1\n")  # unread YAML beside the sources
    assert any("services/sub/x.yaml" in d for d in both(repo, tmp_path)[0])


def test_a_suppression_comment_is_an_input(repo: Path, tmp_path: Path) -> None:
    svc = repo / "services" / "svc-1.yaml"
    text = svc.read_text()
    alert = text[text.index("    - name: Svc1HighLatency"):text.index("  logAlerts:")]
    svc.write_text(text.replace("  logAlerts:", alert + "  logAlerts:"))  # the alert twice: RF003
    found = both(repo, tmp_path)[0]
    assert any("services/svc-1.yaml" in d and "[RF003]" in d for d in found)
    svc.write_text(svc.read_text() + "# obs: disable-file=RF003\n")
    again = both(repo, tmp_path)[0]
    assert not any("[RF003]" in d for d in again) and again != found


def test_a_changed_obs_misses(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = both(repo, tmp_path)
    assert buildcache.BuildCache(repo, _project(repo)).get("compile", None) is not None
    monkeypatch.setattr(buildcache, "code_hash", lambda: "another obs")
    assert buildcache.BuildCache(repo, _project(repo)).get("compile", None) is None
    assert both(repo, tmp_path) == first
    entry = entries(tmp_path)[0]
    assert json.loads(entry.read_bytes())["code"] == "another obs"  # rewritten by the changed obs


def _project(root: Path):
    from obs.load.sources import load_project
    return load_project(root)[0]


@pytest.mark.parametrize("junk", [b"", b"{not json", b"\xff\xfe", b"[]", b'{"format": "obs-build-1"}',
                                  b'{"format": "other", "code": 1}'])
def test_a_corrupt_or_foreign_entry_is_ignored(repo: Path, tmp_path: Path, junk: bytes) -> None:
    first = both(repo, tmp_path)
    for entry in entries(tmp_path):
        entry.write_bytes(junk)
    assert both(repo, tmp_path) == first
    assert all(e.read_bytes() != junk for e in entries(tmp_path))


def test_a_corrupt_blob_is_ignored(repo: Path, tmp_path: Path) -> None:
    first = both(repo, tmp_path)
    blobs = [p for p in (tmp_path / "cache" / "blobs").rglob("*") if p.is_file()]
    for blob in blobs:
        blob.write_bytes(blob.read_bytes()[:-1] + b"#")
    shutil.rmtree(repo / "out")
    assert both(repo, tmp_path) == first
    assert buildcache.BuildCache(repo, _project(repo)).get("compile", None) is not None  # healed


def test_an_entry_with_wrong_diagnostics_is_ignored(repo: Path, tmp_path: Path) -> None:
    first = both(repo, tmp_path)
    for entry in entries(tmp_path):
        data = json.loads(entry.read_bytes())
        data["diags"] = [[1, 2, 3, 4, 5, 6]]
        entry.write_text(json.dumps(data))
    assert both(repo, tmp_path) == first


def test_dashboards_as_code_are_not_cached(repo: Path, tmp_path: Path) -> None:
    (repo / "dash").mkdir()
    (repo / "dash" / "x.dashboard.py").write_text("dashboard = None\n")
    text = (repo / "obs.yaml").read_text().replace("spec:\n", "spec:\n  dashboards: [\"dash/*.py\"]\n", 1)
    (repo / "obs.yaml").write_text(text)
    compile_project(repo, cache=True)
    assert not entries(tmp_path)


def test_concurrent_compiles_share_the_cache(repo: Path, tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO), OBS_CACHE_DIR=str(tmp_path / "cache"))
    copies = []
    for n in range(3):
        copies.append(tmp_path / f"copy{n}")
        shutil.copytree(repo, copies[-1])
    procs = [subprocess.Popen([sys.executable, "-m", "obs", "compile"], cwd=c, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for c in copies * 2]
    assert all(p.wait(timeout=300) == 0 for p in procs)
    compile_project(repo, cache=False)
    want = tree(repo / "out")
    for c in copies:
        assert tree(c / "out") == want
        shutil.rmtree(c / "out")
        assert compile_project(c, cache=True)[1] is not None and tree(c / "out") == want
    assert not list((tmp_path / "cache").rglob(".tmp-*"))


def test_lint_reports_what_compile_reports_on_the_shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lint leaves out UNREAD_TARGETS; every finding of a compile with every target is still there."""
    monkeypatch.setenv("OBS_CACHE_DIR", str(tmp_path / "cache"))
    for source in (REPO / "examples" / "shop",):
        root = tmp_path / source.name
        shutil.copytree(source, root, ignore=shutil.ignore_patterns("out"))
        compiled = compile_project(root, cache=False)[0]
        assert rendered(lint(root, None, cache=False), root) == rendered(compiled, root)
    root = copy_shop_fixture(tmp_path / "fixture")
    compiled = compile_project(root, cache=False)[0]
    assert rendered(lint(root, None, cache=False), root) == rendered(compiled, root)
    assert rendered(lint(root, None, cache=True), root) == rendered(compiled, root)
    assert rendered(lint(root, None, cache=True), root) == rendered(compiled, root)  # from the cache


def test_a_file_changed_during_the_build_is_not_recorded(repo: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import obs.commands.compile
    real = obs.commands.compile.build
    svc = repo / "services" / "svc-1.yaml"

    def edit_while_building(*args, **kwargs):
        result = real(*args, **kwargs)
        svc.write_text(svc.read_text().replace("objective: 99.9", "objective: 99.5"))
        return result
    monkeypatch.setattr(obs.commands.compile, "build", edit_while_building)
    compile_project(repo, cache=True)
    assert not entries(tmp_path)  # the output is of the old bytes: no entry pairs it with the new
    monkeypatch.setattr(obs.commands.compile, "build", real)
    both(repo, tmp_path)
