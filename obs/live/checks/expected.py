"""`expectedIn` must name environments obs.yaml defines: a typo ("prd") would quietly turn
every missing series of the definition into info in every environment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from obs.diagnostics import Diagnostic, Position, Severity
from obs.live import live_check
from obs.live.survey import close_match

if TYPE_CHECKING:
    from obs.live.clients import Clients
    from obs.pipeline import Build


def _marked(build: Build) -> Iterator[tuple[str, list[str], Position | None]]:
    for s in build.catalog.slos:
        yield f"SLO {s.service}/{s.name}", s.spec.expectedIn, s.spec.pos_of("expectedIn")
    for a in build.catalog.alerts:
        if a.pack is None:
            yield f"alert {a.spec.name}", a.spec.expectedIn, a.spec.pos_of("expectedIn")
    for svc in build.catalog.services.values():
        for use in svc.spec.uses:
            yield f"pack {use.pack} of {svc.name}", use.expectedIn, use.pos_of("expectedIn")


@live_check("LV022", "prometheus/expected-in", "expectedIn names an environment obs.yaml does not define.",
            servers=("prometheus",))
def expected_in(build: Build, clients: Clients) -> list[Diagnostic]:
    known = sorted(build.project.spec.environments)
    out = []
    for what, names, pos in _marked(build):
        for name in names:
            if name not in known:
                close = close_match(name, known)
                out.append(Diagnostic("LV022", f"{what}: expectedIn names environment {name!r}, which obs.yaml does "
                                      f"not define (environments: {', '.join(known)})", pos, Severity.WARNING,
                                      f"did you mean {close!r}?" if close else None))
    return out
