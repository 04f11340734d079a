"""Fixtures for the prometheus-operator and kubesphere target tests."""

from __future__ import annotations

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


