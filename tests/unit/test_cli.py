"""The command line as a user meets it: a new repository works at once, reports go where
asked, commands not built yet say so with exit 2."""

from __future__ import annotations

import json

import pytest

from helpers import run_obs


def test_init_gives_a_repository_that_lints_and_compiles(tmp_path, promtool):
    created = run_obs("init", str(tmp_path / "repo"), cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    repo = tmp_path / "repo"
    assert (repo / "ci" / "gitlab-ci.yml").exists() and (repo / "ci" / "Jenkinsfile").exists()
    lint = run_obs("lint", cwd=repo)
    assert lint.returncode == 0 and "error[" not in lint.stderr, lint.stderr
    assert run_obs("compile", cwd=repo).returncode == 0
    assert (repo / "out" / "prometheus" / "example.rules.yaml").exists()
    again = run_obs("init", str(repo), cwd=tmp_path)
    assert again.returncode == 2 and "never overwrites" in again.stderr


def test_report_to_a_file_in_another_format(tmp_path):
    run_obs("init", str(tmp_path), cwd=tmp_path)
    (tmp_path / "services" / "example.yaml").write_text(
        (tmp_path / "services" / "example.yaml").read_text().replace("objective: 99.9", "objective: 120"))
    result = run_obs("lint", "--format", "gitlab", "--output", "report.json", cwd=tmp_path)
    assert result.returncode == 1
    report = json.loads((tmp_path / "report.json").read_text())
    assert [r["check_name"] for r in report] == ["SC004"]
    assert "error[SC004]" in result.stderr  # the person at the terminal still sees it


@pytest.mark.parametrize("command", ["validate", "diff", "apply"])
def test_live_commands_outside_a_project_are_one_configuration_line(tmp_path, command):
    result = run_obs(command, "--env", "prod", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error[CF001]: no obs.yaml") and "Traceback" not in result.stderr


#: commands that were designed before they were built, with arguments that reach their code
DESIGNED = {"validate": ["--env", "prod"], "diff": ["--env", "prod"], "apply": ["--env", "prod"],
            "bootstrap": ["-p", "kubesphere", "-o", "x"]}


def _marked_in_help() -> set[str]:
    """Commands whose line in `obs --help` says they are not built."""
    import os
    listing = run_obs("--help", cwd=".", env={**os.environ, "COLUMNS": "200"}).stdout
    rows = [line.strip("│ ").split(None, 1) for line in listing.splitlines() if line.startswith("│ ")]
    return {row[0] for row in rows if len(row) == 2 and "(not built yet)" in row[1]}


def _stubs() -> set[str]:
    """Commands whose function only reports that it is not built (obs.cli._not_yet)."""
    import inspect

    from obs import cli
    return {(c.name or c.callback.__name__).rstrip("_") for c in cli.app.registered_commands
            if "_not_yet(" in inspect.getsource(c.callback)}


def test_help_says_which_commands_are_not_built(tmp_path):
    """`obs --help` listed validate, diff, apply and bootstrap as if they worked; now that all four
    are built, none is a stub, none is marked, and each runs its own code (here: no obs.yaml)."""
    stubs = _stubs()
    assert stubs <= set(DESIGNED), stubs
    assert _marked_in_help() == stubs
    for command in set(DESIGNED) - stubs:
        result = run_obs(command, *DESIGNED[command], cwd=tmp_path)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "not built yet" not in result.stderr
        assert "error[CF001]" in result.stderr, result.stderr
    for command in stubs:
        result = run_obs(command, *DESIGNED[command], cwd=tmp_path)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert f"`obs {command}` is not built yet" in result.stderr
        assert "README's roadmap" not in result.stderr and "docs/reference.md" in result.stderr


def test_version():
    from obs import __version__
    assert run_obs("--version", cwd=".").stdout.strip() == f"obs {__version__}"


def test_an_internal_failure_is_one_line_not_a_traceback(tmp_path):
    import subprocess
    import sys

    from helpers import checkout_env
    script = ("import sys, obs.cli, obs.commands.lint as lint\n"
              "lint.lint = lambda *a: (_ for _ in ()).throw(RuntimeError('simulated'))\n"
              "sys.argv = ['obs', 'lint']\nobs.cli.main()\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            env=checkout_env())
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error[OBS000]: obs failed internally: RuntimeError: simulated")
    debug = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                           env=checkout_env({**__import__("os").environ, "OBS_DEBUG": "1"}))
    assert "Traceback" in debug.stderr
