"""A real Prometheus scraping a known target (jobs `shop` every 1s, `batch` every 3s) and a real
Alertmanager, each started once for the folder and stopped by a finalizer."""

from __future__ import annotations

import pytest

from tests.live.projects import BAD, GOOD, validate, write
from tests.live.servers import Alertmanager, MetricsTarget, Prometheus

AM_CONFIG = "route: {receiver: none}\nreceivers: [{name: none}]\n"


@pytest.fixture(scope="session")
def metrics_target(request):
    target = MetricsTarget()
    request.addfinalizer(target.stop)
    return target


@pytest.fixture(scope="session")
def prometheus(request, metrics_target):
    server = Prometheus()
    request.addfinalizer(server.stop)
    server.start({"shop": (metrics_target.address, "1s"), "batch": (metrics_target.address, "3s")})
    server.wait_for_scrapes(["shop", "batch"])
    return server


@pytest.fixture(scope="session")
def alertmanager(request):
    server = Alertmanager()
    request.addfinalizer(server.stop)
    return server.start(AM_CONFIG)


@pytest.fixture(scope="session")
def good(tmp_path_factory, prometheus, alertmanager):
    """`obs validate` of the good project against both servers (run once, asserted by many tests)."""
    return validate(write(tmp_path_factory.mktemp("good"), GOOD), prometheus, alertmanager)


@pytest.fixture(scope="session")
def bad(tmp_path_factory, prometheus, alertmanager):
    root = write(tmp_path_factory.mktemp("bad"), BAD, targets="prometheus, alertmanager, grafana",
                 defaults="    slo: {interval: 2s, baseWindow: 6s}")
    return validate(root, prometheus, alertmanager)
