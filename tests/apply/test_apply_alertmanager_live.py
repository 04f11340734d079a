"""`obs apply` to a real Alertmanager (Debian's 0.25): the config file written with its `${VAR}`
placeholders filled from the environment (mode 0600), reloaded, confirmed in /api/v2/status;
a config it refuses is rolled back; no secret value is printed or lands in out/."""

from __future__ import annotations

import json
import os

import pytest

from tests.apply.apply_helpers import HOOK_URL, SECRET, compile_ok, no_secret, obs, path_without, write_project
from tests.helpers import run_obs

pytestmark = pytest.mark.live

ENV = "alertmanager: {url: {env: AM_URL}, configFile: ../am/alertmanager.yml, confirmTimeout: 10s}"
CHANNEL = """apiVersion: obs/v1
kind: Channel
metadata: {name: web-hook}
spec: {type: webhook, url: {env: WEB_HOOK_URL}, match: {team: web}}
"""


@pytest.fixture
def repo(tmp_path, alertmanager):
    root = write_project(tmp_path / "repo", {"api": "sum(up)"}, ENV, "alertmanager", {"channels.yaml": CHANNEL})
    compile_ok(root)
    alertmanager.config.unlink()  # the config it started with is not obs's: see the conflict test
    return root


def receivers(alertmanager) -> list[str]:
    import yaml
    return [r["name"] for r in yaml.safe_load(alertmanager.original())["receivers"]]


def test_apply_fills_the_placeholders_reloads_and_confirms(repo, alertmanager):
    env = {"AM_URL": alertmanager.url, "WEB_HOOK_URL": HOOK_URL}
    diff = obs(repo, "diff", "--env", "local", "-v", env=env)
    assert diff.returncode == 1 and "+ alertmanager.yml" in diff.stdout and "${WEB_HOOK_URL}" in diff.stdout
    r = obs(repo, "apply", "--env", "local", env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert receivers(alertmanager) == ["obs-default", "web-hook"]
    written = alertmanager.config
    assert written.stat().st_mode & 0o777 == 0o600
    assert f"url: \"{HOOK_URL}\"" in written.read_text() and "${" not in written.read_text()
    assert SECRET in alertmanager.original()  # Alertmanager 0.25 prints webhook URLs: obs never does
    again = obs(repo, "apply", "--env", "local", env=env)
    assert again.returncode == 0 and "No changes" in again.stdout
    no_secret(diff.stdout, diff.stderr, r.stdout, r.stderr, again.stdout, again.stderr,
              *(p.read_text() for p in (repo / "out").rglob("*") if p.is_file()))


def test_a_rotated_secret_is_an_update_whose_diff_shows_neither_value(repo, alertmanager):
    env = {"AM_URL": alertmanager.url, "WEB_HOOK_URL": HOOK_URL}
    assert obs(repo, "apply", "--env", "local", env=env).returncode == 0
    rotated = {**env, "WEB_HOOK_URL": "https://hooks.example.com/services/n3w-t0ken-41b2"}
    diff = obs(repo, "diff", "--env", "local", "-v", env=rotated)
    assert diff.returncode == 1 and "~ alertmanager.yml" in diff.stdout
    assert "-    url: <secret>" in diff.stdout and "+    url: https://obs.invalid/${WEB_HOOK_URL}" in diff.stdout
    assert "n3w-t0ken" not in diff.stdout + diff.stderr
    no_secret(diff.stdout, diff.stderr)
    assert obs(repo, "apply", "--env", "local", env=rotated).returncode == 0
    assert "n3w-t0ken-41b2" in alertmanager.config.read_text()


def test_a_config_alertmanager_refuses_is_rolled_back(repo, alertmanager):
    """Without amtool on the runner the bad value reaches the reload, which fails: the old file returns."""
    env = {"AM_URL": alertmanager.url, "WEB_HOOK_URL": HOOK_URL}
    assert obs(repo, "apply", "--env", "local", env=env).returncode == 0
    before = alertmanager.config.read_bytes()
    bad = {**env, "WEB_HOOK_URL": f"ftp://{SECRET}"}
    r = obs(repo, "apply", "--env", "local", env=bad, path=path_without("promtool", "amtool"))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "error[AP007]" in r.stderr and "refused the reload" in r.stderr and "previous config is back" in r.stderr
    assert alertmanager.config.read_bytes() == before
    assert receivers(alertmanager) == ["obs-default", "web-hook"]
    no_secret(r.stdout, r.stderr)
    checked = obs(repo, "apply", "--env", "local", env=bad)  # with amtool: refused before writing
    assert checked.returncode == 1 and "error[AP005]" in checked.stderr
    assert alertmanager.config.read_bytes() == before
    no_secret(checked.stdout, checked.stderr)


def test_a_config_file_obs_did_not_write_is_never_replaced(tmp_path, alertmanager):
    root = write_project(tmp_path / "repo", {"api": "sum(up)"}, ENV, "alertmanager", {"channels.yaml": CHANNEL})
    compile_ok(root)
    before = alertmanager.config.read_text()
    r = obs(root, "apply", "--env", "local", env={"AM_URL": alertmanager.url, "WEB_HOOK_URL": HOOK_URL})
    assert r.returncode == 1 and "error[AP003]" in r.stderr and "! alertmanager.yml" in r.stdout
    assert alertmanager.config.read_text() == before


def test_a_missing_or_empty_variable_is_a_configuration_error_naming_it(repo, alertmanager):
    clean = {k: v for k, v in os.environ.items() if k != "WEB_HOOK_URL"}
    for extra in ({}, {"WEB_HOOK_URL": ""}):  # an empty value is what CI gives for a secret it withholds
        r = run_obs("apply", "--env", "local", cwd=repo, env={**clean, "AM_URL": alertmanager.url, **extra})
        assert r.returncode == 2 and "error[AP002]" in r.stderr and "${WEB_HOOK_URL}" in r.stderr
        assert not alertmanager.config.exists()


def test_alertmanager_down_leaves_the_file_as_it_was(repo, alertmanager):
    alertmanager.config.write_text(json.dumps({"route": {"receiver": "x"}}))
    alertmanager.stop()
    r = obs(repo, "apply", "--env", "local", env={"AM_URL": alertmanager.url, "WEB_HOOK_URL": HOOK_URL})
    assert r.returncode == 2 and "error[LV001]" in r.stderr
    assert alertmanager.config.read_text() == json.dumps({"route": {"receiver": "x"}})


def test_a_config_obs_compiled_for_this_project_and_copied_by_hand_is_adopted(repo, alertmanager):
    """A team that deployed out/alertmanager/alertmanager.yaml itself before: the file says obs wrote it
    for this project, so apply takes it over instead of refusing it."""
    alertmanager.config.write_text((repo / "out/alertmanager/alertmanager.yaml").read_text())
    r = obs(repo, "apply", "--env", "local", env={"AM_URL": alertmanager.url, "WEB_HOOK_URL": HOOK_URL})
    assert r.returncode == 0, r.stdout + r.stderr
    assert "~ alertmanager.yml" in r.stdout and HOOK_URL in alertmanager.config.read_text()
