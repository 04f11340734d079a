"""Carrying a plan out, in the order EDGES.md fixes:

1. observe every target again and refuse if what it observed moved since the plan (a stale plan);
2. dry-run every write where the server (or a local validator) allows, and refuse if any fails;
3. execute target by target in dependency order (creates and updates before deletes inside each);
   the first target that fails stops the run;
4. report, per target, what was done, what was not, and what was rolled back.

Nothing here prints: progress goes to a callback, the result is a value. "Atomic" is per object
(and per folder where the pusher can roll back), not across servers; running apply again
converges because the next plan starts from what is there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from obs import codes
from obs.apply import Change, Plan, TargetPlan
from obs.apply.plan import digest
from obs.apply.pusher import Pusher, PushFailed
from obs.diagnostics import Diagnostic, Position
from obs.live.errors import LiveError

MOVED = codes.define("AP004", "apply/state-changed",
                     "What a target holds changed between the plan and the apply (someone else applied?): nothing "
                     "was written.")
DRY_RUN = codes.define("AP005", "apply/dry-run-rejected", "A write was refused in the dry run: nothing was written.")
FAILED = codes.define("AP006", "apply/failed", "A target failed during apply: the summary says what was and was not "
                      "applied.")
ROLLED_BACK = codes.define("AP007", "apply/rolled-back",
                           "A target's reload failed or was not confirmed: its previous state was put back.")

#: (target, change or None for the target as a whole, status) → for a progress display
Progress = Callable[[str, Change | None, str], None]


@dataclass
class TargetResult:
    target: str
    #: applied, no changes, failed, rolled back, not attempted
    status: str
    done: list[Change] = field(default_factory=list)
    not_done: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    results: list[TargetResult] = field(default_factory=list)
    diags: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.diags or all(d.severity.value != "error" for d in self.diags)


def ordered(changes: tuple[Change, ...] | list[Change]) -> list[Change]:
    """Creates and updates in key order, then deletes."""
    return [c for c in changes if c.action in ("create", "update")] + [c for c in changes if c.action == "delete"]


def _noop(target: str, change: Change | None, status: str) -> None:
    pass


def execute(plan: Plan, pushers: dict[str, Pusher], progress: Progress = _noop,
            scrub: Callable[[str], str] = lambda s: s) -> Outcome:
    out = Outcome()
    active = [t for t in plan.targets if t.skipped is None and t.writes]
    for t in plan.targets:
        if t.skipped is None and not t.writes:
            out.results.append(TargetResult(t.target, "no changes"))
    # 1. a stale plan is refused
    for t in active:
        p = pushers[t.target]
        try:
            now = digest(p.observe({c.key for c in t.changes}))
        except LiveError as e:
            out.diags.append(_problem(e, p, scrub))
            break
        if now != t.digest:
            out.diags.append(Diagnostic(MOVED, f"{t.target}: what it holds changed since the plan was made",
                                        p.pos(), hint="run `obs diff` (or apply) again to plan from what is there now"))
    # 2. the dry run
    if not out.diags:
        for t in active:
            p = pushers[t.target]
            progress(t.target, None, "checking")
            try:
                problems = p.validate(ordered(t.changes))
            except LiveError as e:
                out.diags.append(_problem(e, p, scrub))
                continue
            out.diags.extend(Diagnostic(DRY_RUN, f"{t.target}: {scrub(msg)}", p.pos()) for msg in problems)
    if out.diags:
        for t in active:
            out.results.append(TargetResult(t.target, "not attempted", [], ordered(t.changes), pushers[t.target].notes))
        return out
    # 3. execute, in order; the first failure stops the rest
    failed = False
    for t in sorted(active, key=lambda t: pushers[t.target].order):
        p = pushers[t.target]
        result = TargetResult(t.target, "not attempted", [], ordered(t.changes), p.notes)
        out.results.append(result)
        if failed:
            continue
        progress(t.target, None, "applying")
        try:
            p.execute(ordered(t.changes), _recorder(result, t, progress))
            result.status = "applied"
        except PushFailed as e:
            failed = True
            if e.rolled_back:
                result.not_done, result.done = ordered(t.changes), []
            result.status = "rolled back" if e.rolled_back else "failed"
            out.diags.append(Diagnostic(e.code or (ROLLED_BACK if e.rolled_back else FAILED),
                                        f"{t.target}: {scrub(e.message)}", p.pos(), hint=e.hint))
        except LiveError as e:
            failed = True
            result.status = "failed"
            d = _problem(e, p, scrub)
            out.diags.append(Diagnostic(FAILED, d.message, d.pos, hint=d.hint))
        except OSError as e:
            failed = True
            result.status = "failed"
            out.diags.append(Diagnostic(FAILED, f"{t.target}: {scrub(str(e))}", p.pos()))
        progress(t.target, None, result.status)
    return out


def _recorder(result: TargetResult, t: TargetPlan, progress: Progress) -> Callable[[Change], None]:
    def done(change: Change) -> None:
        result.done.append(change)
        result.not_done = [c for c in result.not_done if c is not change]
        progress(t.target, change, "done")
    return done


def _problem(e: LiveError, p: Pusher, scrub: Callable[[str], str]) -> Diagnostic:
    from obs.live.errors import diagnostic_for
    d = diagnostic_for(e, p.pos() or Position("obs.yaml"), hint=getattr(e, "hint", None))
    return Diagnostic(d.code, scrub(d.message), d.pos, d.severity, d.hint, d.config)
