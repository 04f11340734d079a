"""diff/apply as commands, where no server is reached: a stale out/ is refused like a stale
Terraform plan, and targets or settings the environment cannot honour are configuration errors
(exit 2), each one line at the place to edit."""

from __future__ import annotations

import json

import pytest

from tests.apply.apply_helpers import compile_ok, obs, write_project

ENV = "prometheus: {url: http://127.0.0.1:9, rulesDir: ../rules}"


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "rules").mkdir()
    root = write_project(tmp_path / "repo", {"api": "sum(up)"}, ENV)
    compile_ok(root)
    return root


@pytest.mark.parametrize("command", ["diff", "apply"])
def test_a_source_changed_since_compile_is_refused_at_that_file(repo, command):
    (repo / "svc-api.yaml").write_text((repo / "svc-api.yaml").read_text().replace("sum(up)", "sum(up) > 1"))
    r = obs(repo, command, "--env", "local")
    assert r.returncode == 2
    assert "svc-api.yaml:1:1: error[AP001]: svc-api.yaml changed since the last compile" in r.stderr
    assert "hint: run `obs compile`" in r.stderr


def test_a_new_source_an_edited_output_or_no_compile_at_all_is_refused(repo):
    (repo / "svc-new.yaml").write_text((repo / "svc-api.yaml").read_text().replace("api", "new"))
    (repo / "out/prometheus/api.rules.yaml").write_text("groups: []\n")
    r = obs(repo, "apply", "--env", "local")
    assert r.returncode == 2
    assert "svc-new.yaml is new since the last compile" in r.stderr
    assert "out/prometheus/api.rules.yaml differs from what compile wrote" in r.stderr
    (repo / "out/manifest.json").unlink()
    assert "nothing was compiled" in obs(repo, "diff", "--env", "local").stderr


def test_out_compiled_by_another_obs_version_is_refused(repo):
    manifest = json.loads((repo / "out/manifest.json").read_text())
    (repo / "out/manifest.json").write_text(json.dumps({**manifest, "obs": "0.0.1"}))
    r = obs(repo, "diff", "--env", "local")
    assert r.returncode == 2 and "compiled by obs 0.0.1" in r.stderr


def test_unknown_and_unconfigured_targets_are_configuration_errors(repo):
    unknown = obs(repo, "apply", "--env", "local", "--target", "prometheus", "--target", "nagios")
    assert unknown.returncode == 2 and "unknown --target nagios" in unknown.stderr
    missing = obs(repo, "diff", "--env", "local", "--target", "elastalert")
    assert missing.returncode == 2 and "error[AP009]: target elastalert cannot be applied" in missing.stderr
    env = obs(repo, "diff", "--env", "prod")
    assert env.returncode == 2 and "no environment 'prod'" in env.stderr


def test_a_rules_dir_that_is_not_a_folder_points_at_its_obs_yaml_line(repo):
    write_project(repo, {"api": "sum(up)"}, "prometheus: {url: http://127.0.0.1:9, rulesDir: ../nowhere}")
    compile_ok(repo)
    r = obs(repo, "diff", "--env", "local")
    assert r.returncode == 2 and "obs.yaml:9:55:" in r.stderr and "rulesDir ../nowhere is not a folder" in r.stderr


def test_the_environments_apply_list_chooses_the_targets(repo):
    write_project(repo, {"api": "sum(up)"}, ENV + "\napply: [alertmanager]")
    compile_ok(repo)
    r = obs(repo, "diff", "--env", "local")
    assert r.returncode == 2 and "target alertmanager cannot be applied: no alertmanager in this environment" in \
        r.stderr
    write_project(repo, {"api": "sum(up)"}, ENV + "\napply: []")
    compile_ok(repo)
    r = obs(repo, "diff", "--env", "local")
    assert r.returncode == 0 and "prometheus (not in this environment's apply: list)" in r.stdout
