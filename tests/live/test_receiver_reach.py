"""Which receivers a route tree can deliver to (obs.live.routing), on trees with the usual traps."""

from __future__ import annotations

from obs.live.routing import reach


def tree(*routes: dict, receiver: str = "default") -> dict:
    return {"receiver": receiver, "routes": list(routes)}


def test_routes_reach_their_receivers_and_the_default_is_kept_for_the_rest():
    found = reach(tree({"receiver": "a", "matchers": ['team="a"']}, {"receiver": "b", "match": {"team": "b"}}))
    assert found.reached == {"default", "a", "b"} and not found.blocked


def test_an_earlier_route_without_continue_shadows_a_narrower_one():
    found = reach(tree({"receiver": "a", "matchers": ['team="a"']},
                       {"receiver": "b", "matchers": ['team="a"', 'severity="critical"']}))
    assert "b" not in found.reached and "earlier route (team=\"a\")" in found.blocked["b"]


def test_continue_true_does_not_shadow():
    found = reach(tree({"receiver": "a", "matchers": ['team="a"'], "continue": True},
                       {"receiver": "b", "matchers": ['team="a"', 'severity="critical"']}))
    assert {"a", "b"} <= found.reached


def test_contradicting_matchers_on_the_path_reach_nothing():
    found = reach(tree({"matchers": ['team="a"'], "routes": [
        {"receiver": "x", "matchers": ['team="b"']},
        {"receiver": "y", "matchers": ['team=~"b|c"']},
        {"receiver": "z", "matchers": ['team!="a"']}]}))
    assert not {"x", "y", "z"} & found.reached
    assert 'team="a" and team="b"' in found.blocked["x"]


def test_a_catch_all_child_takes_every_alert_from_its_parent():
    found = reach(tree({"receiver": "p", "matchers": ['team="a"'], "routes": [{"receiver": "c"}]},
                       receiver="root"))
    assert "c" in found.reached and "p" not in found.reached


def test_a_receiver_reached_elsewhere_is_not_blocked():
    found = reach(tree({"receiver": "a"}, {"receiver": "a", "matchers": ['x="1"']}))
    assert "a" in found.reached and "a" not in found.blocked
