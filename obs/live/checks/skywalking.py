"""SkyWalking OAP: every service obs injects an agent into is known to the OAP under the name
obs gives the agent. A name the OAP does not know means traces land under another service (or
nowhere) and the service's APM views stay empty."""

from __future__ import annotations

import difflib

from obs.diagnostics import Diagnostic, Severity
from obs.live import live_check
from obs.live.clients import Clients
from obs.live.skywalking import SkyWalking
from obs.skywalking.settings import service_name


@live_check("LV065", "live/skywalking-service",
            "The SkyWalking OAP knows no service under the name obs gives a service's agent.",
            servers=("skywalking",))
def services(build, clients: Clients):
    sw: SkyWalking = clients.client("skywalking", SkyWalking)
    injected = [svc for svc in build.catalog.services.values() if svc.apm is not None]
    known: list[str] | None = None
    for svc in sorted(injected, key=lambda s: s.name):
        name = service_name(svc)
        if sw.service(name) is not None:
            continue
        if known is None:
            known = sw.names()
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        raw = svc.spec.apm.skywalking if svc.spec.apm is not None else None
        pos = (raw.pos_of("serviceName") if raw is not None and raw.serviceName is not None else None) \
            or svc.origin.pos
        hint = f"did you mean {close[0]!r}? set apm.skywalking.serviceName" if close else \
            "expected before the first deploy with the agent; otherwise check the agent reaches the OAP backend"
        yield Diagnostic("LV065", f"SkyWalking OAP knows no service {name!r} (service {svc.name})", pos,
                         Severity.WARNING, hint)
