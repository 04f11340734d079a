"""Across targets: Prometheus (real) is applied first, then Watcher (replayed) fails on its second
watch; the summary says what was and was not applied, exit 1, and running apply again converges.
The shop example applied to a real Prometheus and Alertmanager with every `{env: NAME}` set to a
recognisable value: none of them is printed, in a plan, a diff, a progress line or an error."""

from __future__ import annotations

import os
import re

import pytest

from tests.apply.apply_helpers import HOOK_URL, compile_ok, no_secret, obs, write_logs_project
from tests.apply.replay import Replay, load
from tests.live.scripted import ScriptedServer

RULES = """apiVersion: obs/v1
kind: RuleGroup
metadata: {name: api-rules, service: api}
spec:
  interval: 1s
  rules:
    - record: api:demo:value
      expr: vector(1)
"""


@pytest.mark.live
@pytest.mark.contract
def test_a_partial_failure_across_targets_is_reported_and_a_rerun_converges(tmp_path, prometheus):
    env_yaml = ("prometheus: {url: {env: PROM_URL}, rulesDir: ../rules, confirmTimeout: 20s}\n"
                "elasticsearch: {url: {env: ES_URL}}")
    root = write_logs_project(tmp_path / "repo", ["errors", "timeouts"], env_yaml, "prometheus, watcher")
    (root / "rules.yaml").write_text(RULES)
    compile_ok(root)
    with ScriptedServer() as es:
        replay = Replay(es, load("elasticsearch", "watcher-put-fails"))
        env = {"PROM_URL": prometheus.url, "ES_URL": es.url, "WEB_HOOK_URL": HOOK_URL}
        first = obs(root, "apply", "--env", "local", env=env)
        assert first.returncode == 1, first.stdout + first.stderr
        rows = {m.group(1): m.group(2) for m in re.finditer(r"│ (\w+)\s+│ ([a-z ]+?)\s+│", first.stdout)}
        assert rows == {"prometheus": "applied", "elasticsearch": "failed"}
        assert "elasticsearch: applied before it failed: +demo-errors" in first.stdout
        assert "elasticsearch: not applied: +demo-timeouts" in first.stdout
        assert "error[AP006]" in first.stderr
        assert [g["name"] for g in prometheus.groups()] == ["api-rules"]
        second = obs(root, "apply", "--env", "local", env=env)
        assert second.returncode == 0, second.stdout + second.stderr
        assert "prometheus → " in second.stdout and "no changes" in second.stdout
        assert "+ demo-timeouts" in second.stdout and "demo-errors" not in second.stdout
        third = obs(root, "apply", "--env", "local", env=env)
        assert third.returncode == 0 and "No changes: the environment matches out/." in third.stdout
        replay.check()
        no_secret(first.stdout, first.stderr, second.stdout, second.stderr, third.stdout, third.stderr)


@pytest.mark.live
def test_no_secret_value_of_the_shop_appears_in_any_plan_diff_progress_line_or_error(example_shop, tmp_path,
                                                                                      prometheus, alertmanager):
    names = set()
    for path in example_shop.rglob("*.yaml"):
        names |= set(re.findall(r"\{\s*env:\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}", path.read_text("utf-8")))
    secrets = {n: f"https://hooks.example.com/{n.lower()}/s3cr3t-{n.lower()}-9f8e7d?access_token=t0k3n{n}"
               for n in names}
    # Alertmanager delivering (the example forwards to notification-manager), so its config holds secrets
    project = (example_shop / "obs.yaml").read_text("utf-8").replace("  defaults:\n", (
        "  defaults:\n    alertmanager: {mode: secret, dingtalkRelay: 'http://dt.shop.svc:8060', "
        "wecomRelay: 'http://pa.shop.svc:8080'}\n"), 1)
    (example_shop / "obs.yaml").write_text(project, "utf-8")
    with (example_shop / "obs.yaml").open("a") as f:
        f.write("    test:\n"
                "      prometheus: {url: {env: PROM_URL}, rulesDir: {env: RULES_DIR}, confirmTimeout: 5s}\n"
                "      alertmanager: {url: {env: AM_URL}, configFile: {env: AM_CONFIG}, confirmTimeout: 10s}\n")
    compile_ok(example_shop)
    alertmanager.config.unlink()
    env = {**secrets, "PROM_URL": prometheus.url, "AM_URL": alertmanager.url, "RULES_DIR": str(prometheus.rules_dir),
           "AM_CONFIG": str(alertmanager.config)}
    runs = [obs(example_shop, "diff", "--env", "test", "-v", env=env),
            obs(example_shop, "apply", "--env", "test", "-v", env=env)]
    assert runs[0].returncode == 1 and runs[1].returncode == 0, runs[1].stdout + runs[1].stderr
    rotated = {**env, **{n: v.replace("s3cr3t", "r0tated") for n, v in secrets.items()}}
    runs += [obs(example_shop, "diff", "--env", "test", "-v", env=rotated),
             obs(example_shop, "apply", "--env", "test", env=rotated),
             obs(example_shop, "apply", "--env", "test", env={**rotated, "AM_URL": "http://127.0.0.1:9"})]
    assert runs[2].returncode == 1 and "~ alertmanager.yml" in runs[2].stdout
    assert runs[4].returncode == 2 and "error[LV001]" in runs[4].stderr
    printed = "".join(r.stdout + r.stderr for r in runs)
    for value in [*secrets.values(), *(v.replace("s3cr3t", "r0tated") for v in secrets.values())]:
        assert value not in printed
        assert value.split("/")[-1].split("?")[0] not in printed  # not even the token part
        assert value.rsplit("=", 1)[1] not in printed
    config = alertmanager.config.read_text()
    assert any(v.replace("s3cr3t", "r0tated") in config for v in secrets.values())  # the values went to the server
    out_text = "".join(p.read_text() for p in (example_shop / "out").rglob("*") if p.is_file())
    assert not any(v in out_text for v in secrets.values())
    assert os.stat(alertmanager.config).st_mode & 0o777 == 0o600
