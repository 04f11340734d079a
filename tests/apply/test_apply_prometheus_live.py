"""`obs apply` to a real Prometheus (Debian's 2.42, --web.enable-lifecycle): rule files written
into rulesDir, reloaded and confirmed through /api/v1/rules; a refused reload or an unhealthy
rule rolled back; a dead server leaves the folder alone; kill -9 mid-apply leaves whole files
and the next run converges."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.apply.apply_helpers import compile_ok, files, obs, path_without, write_project
from tests.helpers import checkout_env

pytestmark = pytest.mark.live

ENV = "prometheus: {url: {env: PROM_URL}, rulesDir: ../rules, confirmTimeout: 20s}"


def project(tmp_path: Path, services: dict[str, str]) -> Path:
    root = write_project(tmp_path / "repo", services, ENV)
    compile_ok(root)
    return root


def groups(prometheus) -> dict[str, list[dict]]:
    return {g["name"]: g["rules"] for g in prometheus.groups()}


def test_apply_writes_reloads_and_confirms_and_a_second_apply_changes_nothing(tmp_path, prometheus):
    root = project(tmp_path, {"api": "sum(up)", "web": "vector(2)"})
    env = {"PROM_URL": prometheus.url}
    diff = obs(root, "diff", "--env", "local", env=env)
    assert diff.returncode == 1, diff.stderr
    assert "+ obs-demo-api.rules.yaml" in diff.stdout and "+ obs-demo-web.rules.yaml" in diff.stdout
    first = obs(root, "apply", "--env", "local", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "applied" in first.stdout
    running = groups(prometheus)
    assert set(running) == {"api-rules", "web-rules"}
    assert all(r["health"] == "ok" for rules in running.values() for r in rules)  # evaluated, confirmed
    on_disk = files(prometheus.rules_dir)
    assert on_disk["obs-demo-api.rules.yaml"] == (root / "out/prometheus/api.rules.yaml").read_text()
    assert json.loads(on_disk[".obs-demo.json"])["files"] == ["obs-demo-api.rules.yaml", "obs-demo-web.rules.yaml"]
    second = obs(root, "apply", "--env", "local", env=env)
    assert second.returncode == 0 and "No changes" in second.stdout
    assert obs(root, "diff", "--env", "local", env=env).returncode == 0


def test_a_reload_prometheus_refuses_is_rolled_back_and_it_keeps_running_the_old_rules(tmp_path, prometheus):
    """A CI runner without promtool, and a function this Prometheus (2.42) does not know but obs's
    parser does: the files pass every local check, the reload fails, the old files come back."""
    root = project(tmp_path, {"api": "sum(up)"})
    env = {"PROM_URL": prometheus.url}
    assert obs(root, "apply", "--env", "local", env=env).returncode == 0
    before = files(prometheus.rules_dir)
    write_project(root, {"api": "mad_over_time(up[5m])"}, ENV)
    compile_ok(root)
    r = obs(root, "apply", "--env", "local", env=env, path=path_without("promtool", "amtool"))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "error[AP007]" in r.stderr and "refused the reload" in r.stderr and "previous files are back" in r.stderr
    assert "rolled back" in r.stdout and "promtool is not installed" in r.stdout
    assert files(prometheus.rules_dir) == before
    assert groups(prometheus)["api-rules"][0]["query"] == "sum(up)"
    write_project(root, {"api": "sum(up) * 2"}, ENV)
    compile_ok(root)
    assert obs(root, "apply", "--env", "local", env=env).returncode == 0
    assert groups(prometheus)["api-rules"][0]["query"] == "sum(up) * 2"


def test_with_promtool_the_same_file_is_refused_by_the_dry_run_before_anything_is_written(tmp_path, prometheus):
    root = project(tmp_path, {"api": "sum(up)"})
    env = {"PROM_URL": prometheus.url}
    assert obs(root, "apply", "--env", "local", env=env).returncode == 0
    before, loaded_at = files(prometheus.rules_dir), prometheus.get("/api/v1/status/runtimeinfo")["data"]
    write_project(root, {"api": "mad_over_time(up[5m])"}, ENV)
    compile_ok(root)
    r = obs(root, "apply", "--env", "local", env=env)
    assert r.returncode == 1 and "error[AP005]" in r.stderr and "mad_over_time" in r.stderr
    assert files(prometheus.rules_dir) == before
    assert prometheus.get("/api/v1/status/runtimeinfo")["data"]["lastConfigTime"] == loaded_at["lastConfigTime"]


def test_a_rule_that_fails_when_prometheus_evaluates_it_is_rolled_back(tmp_path, prometheus):
    """promtool accepts it; Prometheus loads it, then every evaluation fails (two series with one labelset)."""
    root = project(tmp_path, {"api": "sum(up)"})
    env = {"PROM_URL": prometheus.url}
    assert obs(root, "apply", "--env", "local", env=env).returncode == 0
    before = files(prometheus.rules_dir)
    clash = 'label_replace(vector(1), "a", "x", "", "") or label_replace(vector(2), "a", "y", "", "")'
    write_project(root, {"api": f'label_replace({clash}, "a", "z", "", "")'}, ENV)
    compile_ok(root)
    r = obs(root, "apply", "--env", "local", env=env)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "error[AP007]" in r.stderr and "fails on Prometheus" in r.stderr
    assert files(prometheus.rules_dir) == before
    assert groups(prometheus)["api-rules"][0]["query"] == "sum(up)"


def test_a_server_that_is_down_leaves_the_folder_as_it_was(tmp_path, prometheus):
    root = project(tmp_path, {"api": "sum(up)"})
    (prometheus.rules_dir / "team.rules.yaml").write_text("groups: []\n")
    before = files(prometheus.rules_dir)
    prometheus.stop()
    r = obs(root, "apply", "--env", "local", env={"PROM_URL": prometheus.url})
    assert r.returncode == 2, r.stdout + r.stderr
    assert "error[LV001]" in r.stderr and "obs.yaml:" in r.stderr
    assert files(prometheus.rules_dir) == before


def test_kill_9_during_apply_leaves_only_whole_files_and_a_rerun_converges(tmp_path, prometheus):
    names = ("a", "b", "c")
    root = project(tmp_path, {n: "vector(1)" for n in names})
    env = {"PROM_URL": prometheus.url}
    assert obs(root, "apply", "--env", "local", env=env).returncode == 0
    old = files(prometheus.rules_dir)
    write_project(root, {n: "vector(2)" for n in names}, ENV)
    compile_ok(root)
    new = {f"obs-demo-{n}.rules.yaml": (root / f"out/prometheus/{n}.rules.yaml").read_text() for n in names}
    proc = subprocess.Popen([sys.executable, "-m", "obs", "apply", "--env", "local"], cwd=root, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=checkout_env({**os.environ, **env, "OBS_TEST_PAUSE_AFTER": "write"}))
    for line in proc.stderr:
        if "paused after writing a file" in line:
            break
    else:
        pytest.fail(f"obs apply never paused (exit {proc.wait()})")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    after = files(prometheus.rules_dir)
    rule_files = {k: v for k, v in after.items() if k.endswith(".yaml")}
    assert set(rule_files) == set(new)
    assert all(text in (old[name], new[name]) for name, text in rule_files.items())  # whole: old or new
    assert sum(text == new[name] for name, text in rule_files.items()) == 1  # killed after the first write
    assert not [k for k in after if k.endswith(".tmp")]
    assert set(json.loads(after[".obs-demo.json"])["files"]) == set(new)
    assert {r["query"] for rules in groups(prometheus).values() for r in rules} == {"vector(1)"}  # not reloaded
    rerun = obs(root, "apply", "--env", "local", env=env)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert {k: v for k, v in files(prometheus.rules_dir).items() if k.endswith(".yaml")} == new
    assert {r["query"] for rules in groups(prometheus).values() for r in rules} == {"vector(2)"}
    assert "No changes" in obs(root, "apply", "--env", "local", env=env).stdout


def test_prune_removes_only_files_this_project_owns(tmp_path, prometheus):
    root = project(tmp_path, {"api": "sum(up)", "old": "vector(1)"})
    env = {"PROM_URL": prometheus.url}
    assert obs(root, "apply", "--env", "local", env=env).returncode == 0
    (prometheus.rules_dir / "team.rules.yaml").write_text("groups: []\n")
    (prometheus.rules_dir / "obs-other-x.rules.yaml").write_text("groups: []\n")
    (prometheus.rules_dir / ".obs-other.json").write_text('{"project": "other", "files": ["obs-other-x.rules.yaml"]}')
    write_project(root, {"api": "sum(up)"}, ENV)
    compile_ok(root)
    kept = obs(root, "apply", "--env", "local", env=env)
    assert kept.returncode == 0 and "? obs-demo-old.rules.yaml" in kept.stdout and "--prune" in kept.stdout
    assert (prometheus.rules_dir / "obs-demo-old.rules.yaml").exists()
    pruned = obs(root, "apply", "--env", "local", "--prune", env=env)
    assert pruned.returncode == 0, pruned.stdout + pruned.stderr
    assert "- obs-demo-old.rules.yaml" in pruned.stdout
    assert sorted(p.name for p in prometheus.rules_dir.iterdir()) == [
        ".obs-demo.json", ".obs-other.json", "obs-demo-api.rules.yaml", "obs-other-x.rules.yaml", "team.rules.yaml"]
    assert "old-rules" not in groups(prometheus)


def test_a_file_of_the_same_name_that_obs_does_not_own_is_a_conflict_left_alone(tmp_path, prometheus):
    root = project(tmp_path, {"api": "sum(up)"})
    (prometheus.rules_dir / "obs-demo-api.rules.yaml").write_text("groups: []\n")
    r = obs(root, "apply", "--env", "local", env={"PROM_URL": prometheus.url})
    assert r.returncode == 1 and "error[AP003]" in r.stderr and "! obs-demo-api.rules.yaml" in r.stdout
    assert (prometheus.rules_dir / "obs-demo-api.rules.yaml").read_text() == "groups: []\n"
    assert not (prometheus.rules_dir / ".obs-demo.json").exists()


def test_dry_run_prints_the_plan_and_stops(tmp_path, prometheus):
    root = project(tmp_path, {"api": "sum(up)"})
    env = {"PROM_URL": prometheus.url}
    loaded = prometheus.get("/api/v1/status/runtimeinfo")["data"]["lastConfigTime"]
    r = obs(root, "apply", "--env", "local", "--dry-run", env=env)
    assert r.returncode == 0 and "+ obs-demo-api.rules.yaml" in r.stdout and "Dry run: nothing was applied" in r.stdout
    assert list(prometheus.rules_dir.iterdir()) == []
    assert prometheus.get("/api/v1/status/runtimeinfo")["data"]["lastConfigTime"] == loaded


def test_a_prometheus_without_the_lifecycle_api_is_told_apart_and_the_folder_restored(tmp_path):
    from tests.apply.servers import Prometheus
    (tmp_path / "rules").mkdir()
    (tmp_path / "work").mkdir()
    server = Prometheus(tmp_path / "work", tmp_path / "rules", lifecycle=False).start()
    try:
        root = project(tmp_path, {"api": "sum(up)"})
        r = obs(root, "apply", "--env", "local", env={"PROM_URL": server.url})
        assert r.returncode == 1, r.stdout + r.stderr
        assert "started without --web.enable-lifecycle" in r.stderr and "credentials" not in r.stderr
        assert list((tmp_path / "rules").iterdir()) == []  # as it was: not even obs's manifest
    finally:
        server.stop()
