"""Fixtures for the prometheus-operator and kubesphere target tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import jsonschema
import pytest
from k8s_helpers import PAY, copy_project, validator


@pytest.fixture(scope="session")
def prometheusrule_schema() -> jsonschema.Draft202012Validator:
    return validator("prometheusrule.json")


@pytest.fixture(scope="session")
def kubesphere_schema() -> jsonschema.Draft202012Validator:
    return validator("kubesphere-rulegroup.json")


@pytest.fixture
def pay(tmp_path: Path) -> Path:
    """A writable copy of tests/kubernetes/project (project `pay`)."""
    return copy_project(PAY, tmp_path / "pay")


@pytest.fixture(scope="session")
def kubectl() -> str:
    path = shutil.which("kubectl")
    if path is None:
        pytest.fail("kubectl is not installed: run scripts/test.sh (it installs Debian's kubernetes-client)")
    return path
