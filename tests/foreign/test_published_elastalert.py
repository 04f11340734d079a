"""ElastAlert rules kept from before obs, read as ElastAlert 2 reads them (issue 15): options it
ignores (the original ElastAlert's doc_type, use_kibana4_dashboard, a stray empty key) are a
warning that says so, not an error with a misleading did-you-mean; what its loader refuses, obs
refuses with the reason. Every input is also given to ElastAlert 2's own loader."""

from __future__ import annotations

from foreign_helpers import codes_of, elastalert_loads, errors, lint_exit

OLD_RULE = """
name: Checkout timeouts
type: frequency
index: logs-*
doc_type: doc
num_events: 5
timeframe: {minutes: 10}
use_kibana4_dashboard: "https://kibana.example/app/kibana#/dashboard/abc"
kibana4_start_timedelta: {minutes: 10}
filter: [{query_string: {query: 'log:"timeout"'}}]
alert: [debug]
slack:
"""


def test_options_elastalert2_ignores_are_warnings_saying_so(project, tmp_path):
    loaded = elastalert_loads({"old.yaml": OLD_RULE}, tmp_path / "ea")
    assert "error" not in loaded["old.yaml"], loaded
    result = project({"old.yaml": OLD_RULE}, checks=True)
    assert lint_exit(result) == 0, errors(result)
    found = codes_of(result, "LG004")
    assert found == [
        "old.yaml:4:1: warning[LG004]: ElastAlert rule 'checkout-timeouts': 'doc_type' is an option of the original "
        "ElastAlert that ElastAlert 2 no longer reads; it is ignored",
        "old.yaml:7:1: warning[LG004]: ElastAlert rule 'checkout-timeouts': 'use_kibana4_dashboard' is an option of "
        "the original ElastAlert that ElastAlert 2 no longer reads; it is ignored",
        "old.yaml:8:1: warning[LG004]: ElastAlert rule 'checkout-timeouts': 'kibana4_start_timedelta' is an option of "
        "the original ElastAlert that ElastAlert 2 no longer reads; it is ignored",
        "old.yaml:11:1: warning[LG004]: ElastAlert rule 'checkout-timeouts': ElastAlert 2 has no option 'slack'; it "
        "ignores it"]
    assert not any(d.hint and "did you mean 'type'" in d.hint for d in result.diags)


def test_a_typo_in_a_kept_rule_is_a_warning_with_the_option_meant(project):
    typo = OLD_RULE.replace("doc_type: doc\n", "realert_: {minutes: 5}\n")
    (d,) = [d for d in project({"r.yaml": typo}, checks=True).diags if d.code == "LG004" and "realert_" in d.message]
    assert d.severity.value == "warning" and d.hint == "did you mean 'realert'?"


def test_what_elastalert_refuses_obs_refuses_with_the_reason(project, tmp_path):
    missing = OLD_RULE.replace("num_events: 5\n", "")
    loaded = elastalert_loads({"missing.yaml": missing}, tmp_path / "ea")
    assert "num_events" in loaded["missing.yaml"]["error"]
    assert errors(project({"missing.yaml": missing}, checks=True)) == [
        "missing.yaml:2:7: error[IM030]: an ElastAlert frequency rule needs 'num_events', a number"]


def test_unknown_options_in_obs_v1_elastalert_conditions_stay_errors(project):
    doc = """
    apiVersion: obs/v1
    kind: LogAlert
    metadata: {name: blacklisted-users}
    spec:
      index: logs-*
      when: {elastalert: {type: blacklist, compare_key: user, blacklist: [root], doc_type: doc}}
      severity: warning
      summary: Blacklisted user
      targets: [elastalert]
    """
    assert [e.split("error[LG004]: ")[1] for e in errors(project({"la.yaml": doc}, checks=True))] == [
        "log alert 'blacklisted-users': 'doc_type' is an option of the original ElastAlert that ElastAlert 2 no "
        "longer reads; it is ignored"]
