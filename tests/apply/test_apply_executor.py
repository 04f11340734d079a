"""The executor with fake pushers that record what they are asked: the order of steps, a stale
plan refused, a dry-run refusal writing nothing, the first failure stopping the rest, and what
was and was not done reported."""

from __future__ import annotations

from obs.apply import Observed, Plan, TargetPlan
from obs.apply.executor import execute
from obs.apply.plan import digest, plan
from obs.apply.pusher import Pusher, PushFailed
from obs.live.errors import Unreachable


class Fake(Pusher):
    """Holds objects in a dict; `calls` records every step."""

    target = "fake"

    def __init__(self, name: str, order: int, objects: dict, calls: list, fail_on: str | None = None,
                 problems: list | None = None, rollback: bool = False) -> None:
        self.ctx = None
        self.notes = []
        self.target, self.order = name, order
        self.objects, self.calls, self.fail_on = objects, calls, fail_on
        self.problems, self.rollback = problems or [], rollback

    def observe(self, wanted):
        self.calls.append((self.target, "observe"))
        return {k: Observed(k, {"content": str(v)}, True) for k, v in self.objects.items()}

    def validate(self, changes):
        self.calls.append((self.target, "validate", [c.key for c in changes]))
        return self.problems

    def execute(self, changes, done):
        for c in changes:
            if c.key == self.fail_on:
                raise PushFailed(f"{c.key} refused", rolled_back=self.rollback)
            self.calls.append((self.target, c.action, c.key))
            if c.action == "delete":
                self.objects.pop(c.key)
            else:
                self.objects[c.key] = c.desired.parts["content"]
            done(c)


def make(pushers: dict[str, Fake], wanted: dict[str, dict]) -> Plan:
    targets = []
    for name, p in pushers.items():
        observed = p.observe(())
        desired = {k: {"v": v} for k, v in wanted[name].items()}
        targets.append(TargetPlan(name, plan(name, desired, observed, prune=True), digest(observed)))
    for p in pushers.values():
        p.calls.clear()
    return Plan("dev", tuple(targets), True)


def test_observe_again_then_validate_everything_then_execute_in_order_with_deletes_last():
    calls: list = []
    a = Fake("a", 1, {"old": "x", "keep": "{'v': 1}"}, calls)
    b = Fake("b", 2, {}, calls)
    p = make({"b": b, "a": a}, {"a": {"new": 1, "keep": 2}, "b": {"n": 1}})
    outcome = execute(p, {"a": a, "b": b})
    assert outcome.ok
    assert calls == [("b", "observe"), ("a", "observe"),
                     ("b", "validate", ["n"]), ("a", "validate", ["keep", "new", "old"]),
                     ("a", "update", "keep"), ("a", "create", "new"), ("a", "delete", "old"),
                     ("b", "create", "n")]
    assert [r.status for r in outcome.results] == ["applied", "applied"]


def test_a_plan_whose_target_moved_meanwhile_is_refused_before_any_write():
    calls: list = []
    a = Fake("a", 1, {}, calls)
    p = make({"a": a}, {"a": {"x": 1}})
    a.objects["intruder"] = "1"  # someone applied in between
    outcome = execute(p, {"a": a})
    assert [d.code for d in outcome.diags] == ["AP004"]
    assert not any(step[1] in ("create", "update", "delete") for step in calls)
    assert outcome.results[0].status == "not attempted"


def test_a_dry_run_refusal_anywhere_writes_nothing_anywhere():
    calls: list = []
    a, b = Fake("a", 1, {}, calls), Fake("b", 2, {}, calls, problems=["watch w: the input fails"])
    p = make({"a": a, "b": b}, {"a": {"x": 1}, "b": {"w": 1}})
    outcome = execute(p, {"a": a, "b": b})
    assert [d.code for d in outcome.diags] == ["AP005"] and "watch w" in outcome.diags[0].message
    assert a.objects == {} and b.objects == {}
    assert {r.target: r.status for r in outcome.results} == {"a": "not attempted", "b": "not attempted"}


def test_a_failure_stops_the_run_and_says_what_was_and_was_not_applied():
    calls: list = []
    a = Fake("a", 1, {}, calls, fail_on="y")
    b = Fake("b", 2, {}, calls)
    p = make({"a": a, "b": b}, {"a": {"x": 1, "y": 1, "z": 1}, "b": {"n": 1}})
    outcome = execute(p, {"a": a, "b": b})
    ra, rb = outcome.results
    assert (ra.status, [c.key for c in ra.done], [c.key for c in ra.not_done]) == ("failed", ["x"], ["y", "z"])
    assert (rb.status, rb.done, [c.key for c in rb.not_done]) == ("not attempted", [], ["n"])
    assert [d.code for d in outcome.diags] == ["AP006"] and "y refused" in outcome.diags[0].message
    assert b.objects == {}


def test_a_rolled_back_target_reports_nothing_done():
    calls: list = []
    a = Fake("a", 1, {}, calls, fail_on="y", rollback=True)
    p = make({"a": a}, {"a": {"x": 1, "y": 1}})
    outcome = execute(p, {"a": a})
    (r,) = outcome.results
    assert r.status == "rolled back" and r.done == [] and [c.key for c in r.not_done] == ["x", "y"]
    assert [d.code for d in outcome.diags] == ["AP007"]


def test_a_rerun_after_a_partial_failure_converges():
    calls: list = []
    a = Fake("a", 1, {}, calls, fail_on="y")
    execute(make({"a": a}, {"a": {"x": 1, "y": 1}}), {"a": a})
    a.fail_on = None
    second = make({"a": a}, {"a": {"x": 1, "y": 1}})
    assert [c.key for c in second.changes if c.writes] == ["y"]
    execute(second, {"a": a})
    assert make({"a": a}, {"a": {"x": 1, "y": 1}}).empty


def test_a_server_lost_while_observing_again_is_reported_and_nothing_is_written():
    calls: list = []

    class Gone(Fake):
        def observe(self, wanted):
            if self.calls is not None and getattr(self, "planned", False):
                raise Unreachable("fake", "cannot connect to http://127.0.0.1:9 (connection refused)")
            return super().observe(wanted)

    a = Gone("a", 1, {}, calls)
    p = make({"a": a}, {"a": {"x": 1}})
    a.planned = True
    outcome = execute(p, {"a": a})
    assert [d.code for d in outcome.diags] == ["LV001"] and a.objects == {}
