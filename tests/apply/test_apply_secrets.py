"""Secrets at apply time: filled from the environment only, every value (and the parts of a URL a
server might echo alone) scrubbed from text, a server's copy masked for display."""

from __future__ import annotations

from obs.apply.secrets import MASK, Secrets

URL = "https://hooks.example.com/services/T0K3N-abc123?key=Qw3rty-99"


def test_fill_json_fills_strings_and_reports_missing_names():
    s = Secrets({"HOOK": URL, "EMPTY": ""})
    doc, missing = s.fill_json({"a": ["${HOOK}", {"b": "x ${EMPTY} ${NOPE}"}], "n": 1})
    assert doc == {"a": [URL, {"b": "x ${EMPTY} ${NOPE}"}], "n": 1}
    assert missing == ["EMPTY", "NOPE"]


def test_a_url_part_variable_is_derived_from_its_base_variable():
    s = Secrets({"DING": "https://oapi.dingtalk.com/robot/send?access_token=abc123def456"})
    assert s.lookup("DING__ACCESS_TOKEN") == "abc123def456"


def test_scrub_removes_values_and_the_token_parts_of_urls_but_not_ordinary_words():
    s = Secrets({"HOOK": URL})
    s.lookup("HOOK")
    text = s.scrub(f"refused [{URL}]; path /services/T0K3N-abc123; token T0K3N-abc123; key Qw3rty-99; services")
    assert "T0K3N" not in text and "Qw3rty" not in text and text.endswith("; services")
    assert s.scrub('"url": "https:\\/\\/x"') == '"url": "https:\\/\\/x"'


def test_mask_shows_placeholders_where_the_server_holds_the_same_value_and_masks_the_rest():
    s = Secrets({"HOOK": URL})
    template = {"url": "${HOOK}", "name": "a", "old": {"api_url": "lit"}}
    same = s.mask({"url": URL, "name": "a", "extra": {"token": "x9"}}, template)
    assert same == {"url": "${HOOK}", "name": "a", "extra": {"token": MASK}}
    rotated = s.mask({"url": "https://hooks.example.com/services/other-0ld-t0ken", "name": "b"}, template)
    assert rotated == {"url": MASK, "name": "b"}
