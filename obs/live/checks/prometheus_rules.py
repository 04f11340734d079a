"""Every rule expression — alerts, packs, native rules and the rules obs writes for SLOs —
evaluates on the live server as an instant query without error or warning: what parses can
still fail there (many-to-many matching, duplicate series, a function this version lacks)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from obs import codes
from obs.diagnostics import Diagnostic, Severity
from obs.live import live_check
from obs.live.evaluate import evaluate
from obs.live.survey import survey

if TYPE_CHECKING:
    from obs.live.clients import Clients
    from obs.pipeline import Build

WARNED = codes.define("LV015", "prometheus/evaluation-warning", "Prometheus evaluates a rule expression but "
                      "answers with a warning.")


def _one_line(text: str) -> str:
    return " ".join(text.split())


@live_check("LV014", "prometheus/evaluation", "A rule expression fails when Prometheus evaluates it as an instant "
            "query.", servers=("prometheus",))
def evaluation(build: Build, clients: Clients) -> list[Diagnostic]:
    s = survey(build, clients)
    rules = [e for e in s.defs.expressions if e.evaluate]
    if not rules:
        return []
    outcomes = evaluate(s.prom, [(e.text, e.analysis.scalar) for e in rules], s.now)
    out = []
    for e in rules:
        o = outcomes.get(e.text)
        if o is None:
            continue
        if o.error is not None:
            out.append(Diagnostic("LV014", f"{e.site.name}: Prometheus cannot evaluate it: "
                                  f"{_one_line(o.error.message)}", e.site.pos,
                                  hint="this is the error the rule would log at every evaluation"))
        for w in o.warnings:
            out.append(Diagnostic(WARNED, f"{e.site.name}: Prometheus warns: {_one_line(w)}", e.site.pos,
                                  Severity.WARNING))
    return out
