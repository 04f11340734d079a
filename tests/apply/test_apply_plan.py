"""plan() on plain data: the one function diff and apply share."""

from __future__ import annotations

from obs.apply import Desired, Observed, Plan, TargetPlan
from obs.apply.plan import digest, plan


def actions(changes) -> dict[str, str]:
    return {c.key: c.action for c in changes}


def test_create_update_unchanged_from_plain_dicts():
    changes = plan("t", {"a": {"x": 1}, "b": {"x": 2}, "c": "text"}, {"b": {"x": 3}, "c": "text"})
    assert actions(changes) == {"a": "create", "b": "update", "c": "unchanged"}
    assert [c.key for c in changes] == ["a", "b", "c"]  # key order, whatever the input order


def test_owned_leftovers_are_kept_and_shown_as_would_prune_without_prune():
    observed = {"old": Observed("old", {"content": "1"}, owned=True)}
    assert actions(plan("t", {}, observed)) == {"old": "orphan"}
    assert actions(plan("t", {}, observed, prune=True)) == {"old": "delete"}


def test_objects_of_others_are_never_deleted_nor_listed():
    observed = {"theirs": Observed("theirs", {"content": "1"}, owned=False)}
    assert plan("t", {}, observed, prune=True) == ()


def test_wanting_an_object_someone_else_owns_is_a_conflict_not_an_update():
    observed = {"x": Observed("x", {"content": "1"}, owned=False, shown="theirs\n")}
    (change,) = plan("t", {"x": {"v": 1}}, observed, project="shop")
    assert change.action == "conflict" and "not owned by obs project shop" in change.reason
    assert change.before == "theirs\n"


def test_an_object_marked_as_ours_that_obs_may_not_change_is_a_conflict_with_its_own_reason():
    """A dashboard tagged as this project's but provisioned from a file: never written, and
    never pruned either when out/ stops wanting it (the pusher leaves those out)."""
    observed = {"x": Observed("x", {"content": "1"}, owned=True, conflict="is provisioned", hint="edit the file")}
    (change,) = plan("t", {"x": {"v": 1}}, observed)
    assert (change.action, change.reason, change.observed.hint) == ("conflict", "is provisioned", "edit the file")


def test_the_reason_names_the_parts_that_differ():
    d = Desired("w", {"definition": "a", "values": "v1"})
    assert plan("t", {"w": d}, {"w": Observed("w", {"definition": "a", "values": "v2"})})[0].reason == \
        "secret values changed"
    both = plan("t", {"w": d}, {"w": Observed("w", {"definition": "b", "values": "v2"})})[0]
    assert both.reason == "definition differs, secret values changed"
    loaded = plan("t", {"f": Desired("f", {"content": "c", "loaded": "yes"})},
                  {"f": Observed("f", {"content": "c", "loaded": "no"})})[0]
    assert (loaded.action, loaded.reason) == ("update", "not loaded by the server yet")


def test_plan_is_pure_same_input_same_changes():
    desired, observed = {"a": {"x": 1}, "b": {"y": 2}}, {"b": {"y": 3}, "z": {"q": 1}}
    assert plan("t", desired, observed, True) == plan("t", dict(reversed(desired.items())), observed, True)


def test_digest_moves_with_the_observed_state_only():
    assert digest({"a": {"x": 1}}) == digest({"a": {"x": 1}})
    assert digest({"a": {"x": 1}}) != digest({"a": {"x": 2}})
    assert digest({"a": Observed("a", {"c": "1"}, True)}) != digest({"a": Observed("a", {"c": "1"}, False)})


def test_a_plan_without_writes_is_empty_even_with_orphans():
    p = Plan("dev", (TargetPlan("t", plan("t", {"a": 1}, {"a": 1, "b": 2})),))
    assert p.empty and p.count("orphan") == 1 and p.count("unchanged") == 1
    assert not Plan("dev", (TargetPlan("t", plan("t", {"a": 1}, {})),)).empty
