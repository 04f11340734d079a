"""SkyWalking settings checked whether or not the skywalking target is compiled: the same plan and
workload reading the target does (its findings are the same diagnostics, reported once), plus
agent secrets written literally in `env`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from obs import codes
from obs.checks import check
from obs.diagnostics import Diagnostic, Diagnostics, Severity
from obs.skywalking import inject
from obs.skywalking.settings import UNSUPPORTED, plan

if TYPE_CHECKING:
    from obs.pipeline import Build

LITERAL_SECRET = codes.define("SW008", "skywalking/literal-secret",
                              "An agent variable that holds a secret is written as text in apm.skywalking.env.")
_SECRET_NAME = re.compile(r"AUTHENTICATION|PASSWORD|TOKEN|SECRET", re.IGNORECASE)


@check(UNSUPPORTED, "skywalking/unsupported",
       "A SkyWalking setting the service's runtime or injection mode cannot honour.")
def settings(build: Build) -> Iterator[Diagnostic]:
    diags = Diagnostics()
    for name in sorted(build.catalog.services):
        svc = build.catalog.services[name]
        if svc.apm is None:
            continue
        p = plan(svc, build.catalog, diags)
        if p is not None:
            inject(build.catalog, p, diags)
        for key, value in svc.apm.env.items():
            if isinstance(value, str) and _SECRET_NAME.search(key) and value:
                diags.add(Diagnostic(LITERAL_SECRET, f"env: {key} is written as text; it would be committed to "
                                     "out/ and the cluster in the clear", svc.apm.pos_of("env"), Severity.ERROR,
                                     hint=f"{key}: {{secret: {{name: <secret>, key: <key>}}}}"))
    yield from diags.items
