"""Secrets judged by where a value is sent and what it looks like, never by a key name alone
(issue 15): Sloth's `routing_key: myteam` routing label is no secret; ElastAlert rules kept
from before obs have one rule for every alerter option (warning LG005), and a `$NAME` /
`${NAME}` reference, which ElastAlert 2 expands when it reads the file, is none."""

from __future__ import annotations

from foreign_helpers import codes_of, elastalert_loads, errors, lint_exit

SLOTH_ROUTING = """
version: prometheus/v1
service: billing
labels: {owner: billing}
slos:
  - name: requests
    objective: 99.5
    sli:
      events:
        error_query: sum(rate(billing_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(billing_requests_total[{{.window}}]))
    alerting:
      name: BillingErrors
      page_alert:
        labels: {severity: critical, routing_key: billing-oncall}
      ticket_alert:
        labels: {severity: ticket, slack_channel: "#billing"}
"""

RULES_ROUTING = """
groups:
  - name: billing
    rules:
      - alert: BillingDown
        expr: up{job="billing"} == 0
        labels: {severity: critical, routing_key: billing-oncall}
        annotations: {summary: Billing is down}
"""


def test_routing_labels_are_not_secrets(project):
    for name, text in (("sloth.yaml", SLOTH_ROUTING), ("rules.yaml", RULES_ROUTING)):
        result = project({name: text}, checks=True)
        assert codes_of(result, "SE001") == [] and lint_exit(result) == 0, errors(result)


def test_a_label_that_looks_like_a_credential_is_still_refused(project):
    leaked = RULES_ROUTING.replace("routing_key: billing-oncall",
                                   "hook: 'https://hooks.slack.com/services/T000/B000/abcdefabcdef'")
    result = project({"rules.yaml": leaked}, checks=True)
    assert codes_of(result, "SE001") == ["rules.yaml:6:44: error[SE001]: groups[0].rules[0].labels.hook: a URL that "
                                         "carries a key or credentials is written literally"]
    token = RULES_ROUTING.replace("routing_key: billing-oncall", "note: xoxb-1234567890-abcdefghij")
    assert [c.split(": ", 2)[2] for c in codes_of(project({"rules.yaml": token}, checks=True), "SE001")] == [
        "groups[0].rules[0].labels.note: a value that looks like a token or private key is written literally"]


def test_a_channel_credential_field_is_a_secret_whatever_it_says(project):
    channel = """
    apiVersion: obs/v1
    kind: Channel
    metadata: {name: billing-pager}
    spec: {type: pagerduty, routingKey: billing-oncall}
    """
    result = project({"channel.yaml": channel}, checks=True)
    assert [c.split(": ", 2)[2] for c in codes_of(result, "SE001")] == [
        "spec.routingKey: 'routingKey' holds a secret written literally"]


EA_RULE = """
name: Payment errors
type: any
index: logs-*
filter: [{query_string: {query: 'log:"PaymentException"'}}]
alert: [{alerter}]
{options}
"""


def _rule(alerter: str, options: str) -> str:
    return EA_RULE.replace("{alerter}", alerter).replace("{options}", options)


def test_literal_alerter_secrets_in_kept_rules_are_one_warning_for_all(project):
    cases = {"slack.yaml": _rule("slack", "slack_webhook_url: https://hooks.slack.com/services/T1/B2/c3d4e5f6"),
             "iris.yaml": _rule("iris", "iris_host: iris.example\niris_api_token: tok-123456").replace(
                 "Payment errors", "Payment errors iris"),
             "discord.yaml": _rule("discord", "discord_webhook_url: https://discord.com/api/webhooks/1/abc").replace(
                 "Payment errors", "Payment errors discord")}
    result = project(cases, checks=True)
    assert codes_of(result, "SE001") == [] and lint_exit(result) == 0, errors(result)
    found = sorted(c.split(": warning")[0] for c in codes_of(result, "LG005"))
    assert found == ["discord.yaml:6:22", "iris.yaml:7:17", "slack.yaml:6:20"]
    assert all("warning[LG005]" in c for c in codes_of(result, "LG005"))


def test_environment_references_elastalert_expands_are_no_secret(project):
    rules = {"a.yaml": _rule("dingtalk", 'dingtalk_access_token: "$DINGTALK_TOKEN"\ndingtalk_msgtype: text'),
             "b.yaml": _rule("slack", "slack_webhook_url: ${SLACK_URL}").replace("Payment errors", "b"),
             "c.yaml": _rule("post2", "http_post2_url: https://relay.example/send?token=$RELAY_TOKEN").replace(
                 "Payment errors", "c")}
    result = project(rules, checks=True)
    assert codes_of(result, "SE001") == [] and codes_of(result, "LG005") == []
    assert lint_exit(result) == 0, errors(result)
    # the literal part of a URL is still judged: a token written after the reference is one
    half = _rule("post2", "http_post2_url: https://$RELAY_HOST/send?token=abc123")
    assert len(codes_of(project({"d.yaml": half}, checks=True), "LG005")) == 1


def test_elastalert_expands_exactly_those_references(tmp_path):
    """ElastAlert 2's own loader reads `$NAME` and `${NAME}` from its environment (os.path.expandvars)."""
    loaded = elastalert_loads({"a.yaml": _rule("dingtalk", 'dingtalk_access_token: "$DINGTALK_TOKEN"'),
                               "b.yaml": _rule("slack", "slack_webhook_url: ${SLACK_URL}")}, tmp_path,
                              env={"DINGTALK_TOKEN": "t-from-env", "SLACK_URL": "https://hooks.example/x"})
    assert loaded["a.yaml"]["alerters"][0]["options"]["dingtalk_access_token"] == "t-from-env"
    assert loaded["b.yaml"]["alerters"][0]["options"]["slack_webhook_url"] == "https://hooks.example/x"
