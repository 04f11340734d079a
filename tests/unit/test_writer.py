"""out/ is written atomically, pruned only of what obs owned, and left alone when unchanged."""

from __future__ import annotations

import json
import os

import pytest

from obs import writer
from obs.targets import Artifact


def _art(path: str, text: str) -> Artifact:
    return Artifact.text(path, text, "test")


def test_writes_then_prunes_only_its_own_files(tmp_path):
    out = tmp_path / "out"
    first = [_art("a/x.yaml", "1"), _art("b/y.yaml", "2")]
    writer.write_out(out, first, writer.manifest("p", {}, first))
    (out / "b" / "mine.txt").write_text("a person's file")
    second = [_art("a/x.yaml", "1")]
    result = writer.write_out(out, second, writer.manifest("p", {}, second))
    assert result.unchanged == ["a/x.yaml"] and result.removed == ["b/y.yaml"]
    assert (out / "b" / "mine.txt").exists()
    assert json.loads((out / "manifest.json").read_text())["outputs"][0]["path"] == "a/x.yaml"


def test_unchanged_files_keep_their_mtime(tmp_path):
    out = tmp_path / "out"
    arts = [_art("x.yaml", "same")]
    writer.write_out(out, arts, writer.manifest("p", {}, arts))
    os.utime(out / "x.yaml", (1, 1))
    writer.write_out(out, arts, writer.manifest("p", {}, arts))
    assert (out / "x.yaml").stat().st_mtime == 1


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "x.yaml"
    target.write_text("old")

    def boom(*_):
        raise OSError("disk full")
    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError):
        writer.atomic_write(target, b"new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.yaml"]


def test_refuses_paths_outside_out(tmp_path):
    with pytest.raises(ValueError):
        writer.write_out(tmp_path / "out", [_art("../evil.yaml", "x")], b"{}")
