"""Fixtures of the apply tests: a real Prometheus and Alertmanager per test (cheap: ~1 s each),
each with its own temporary folders, stopped afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apply.servers import Alertmanager, Prometheus


@pytest.fixture
def prometheus(tmp_path: Path):
    rules = tmp_path / "rules"
    rules.mkdir()
    work = tmp_path / "prometheus"
    work.mkdir()
    server = Prometheus(work, rules).start()
    yield server
    server.stop()


@pytest.fixture
def alertmanager(tmp_path: Path):
    folder = tmp_path / "am"
    folder.mkdir()
    config = folder / "alertmanager.yml"
    config.write_text("route: {receiver: first}\nreceivers: [{name: first}]\n")
    work = tmp_path / "alertmanager"
    work.mkdir()
    server = Alertmanager(work, config).start()
    yield server
    server.stop()
