"""The shop's channels (examples/shop, and the shared acceptance fixture when it is beside the
checkout), with Alertmanager delivering (mode secret, relays set), compile into a config amtool
accepts, routing each team and severity to its channel, with secrets only by reference; a real
Alertmanager inhibits the warning of an SLO while its critical fires. As written (both target
kubesphere, so mode notification-manager) every alert goes to notification-manager."""

from __future__ import annotations

import os
import time

import pytest
import yaml

from obs.alertmanager.secrets import fill
from tests.alertmanager.conftest import check_config, routes_test
from tests.helpers import EXAMPLE_SHOP, copy_shop_fixture, copy_tree, run_obs

SECRET_VALUES = {"DINGTALK_PAYMENTS_URL": "https://oapi.dingtalk.com/robot/send?access_token=tok-9f8e7d",
                 "WECOM_FULFILMENT_WEBHOOK": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=key-1a2b3c",
                 "SMTP_PASSWORD": "smtp-pass-4d5e6f",
                 "SLACK_DATA_WEBHOOK": "https://hooks.slack.com/services/T000/B000/slack-7a8b9c",
                 "SEARCH_ALERTS_WEBHOOK": "https://hooks.search.example.com/alert?key=search-hook-0d1e2f"}
#: where the two shops differ: examples/shop also has channels for the data and search teams
DATA_RECEIVER = {"example": "data-slack", "shared": "obs-default"}
FILE_SECRETS = {"example": ["SLACK_DATA_WEBHOOK", "SMTP_PASSWORD"], "shared": ["SMTP_PASSWORD"]}


@pytest.fixture(scope="module", params=["example", "shared"])
def repo(request) -> str:
    return request.param


DINGTALK_RELAY = "http://dingtalk-relay.shop.svc:8060"


def alertmanager_delivers(shop):
    """obs.yaml with defaults.alertmanager.mode: secret and both relays set."""
    project = yaml.safe_load((shop / "obs.yaml").read_text())
    project["spec"]["defaults"]["alertmanager"] = {"mode": "secret", "dingtalkRelay": DINGTALK_RELAY,
                                                   "wecomRelay": "http://wecom-relay.shop.svc:8080"}
    (shop / "obs.yaml").write_text(yaml.safe_dump(project))
    return shop


@pytest.fixture(scope="module")
def compiled(repo, tmp_path_factory):
    dst = tmp_path_factory.mktemp("am") / "shop"
    shop = alertmanager_delivers(copy_tree(EXAMPLE_SHOP, dst) if repo == "example" else copy_shop_fixture(dst))
    result = run_obs("compile", cwd=shop, env={**os.environ, **SECRET_VALUES})
    assert result.returncode == 0, result.stdout + result.stderr
    return shop / "out"


def test_shop_config_passes_amtool(compiled, amtool):
    check_config(amtool, compiled / "alertmanager" / "alertmanager.yaml")


@pytest.mark.parametrize("labels, receivers", [
    ({"team": "payments", "severity": "critical"}, ["payments-oncall"]),
    ({"team": "payments", "severity": "warning", "service": "checkout", "slo": "availability"}, ["payments-oncall"]),
    ({"team": "fulfilment", "severity": "info"}, ["fulfilment-wecom"]),
    ({"team": "platform", "severity": "warning", "alertname": "RedisMemoryHigh"}, ["platform-email"]),
    ({"team": "platform", "severity": "page-me"}, ["platform-email"]),  # a severity no rule declares
    ({"team": "data", "severity": "critical"}, ["data"]),  # the shared fixture has no channel: AM003
    ({"team": "nobody", "severity": "critical"}, ["obs-default"]),
])
def test_shop_routes(compiled, repo, amtool, labels, receivers):
    receivers = [DATA_RECEIVER[repo] if r == "data" else r for r in receivers]
    assert routes_test(amtool, compiled / "alertmanager" / "alertmanager.yaml", labels) == receivers


def test_secret_holds_the_same_config_and_no_secret_value(compiled, repo):
    am = (compiled / "alertmanager" / "alertmanager.yaml").read_text()
    docs = list(yaml.safe_load_all((compiled / "kubernetes" / "alertmanager.yaml").read_text()))
    by_name = {d["metadata"]["name"]: d for d in docs}
    assert set(by_name) == {"alertmanager-main", "alertmanager-main-env", "alertmanager-main-dingtalk"}
    main = by_name["alertmanager-main"]
    assert main["kind"] == "Secret" and main["stringData"]["alertmanager.yaml"] == am
    assert main["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "obs"
    assert by_name["alertmanager-main-env"]["stringData"] == {k: f"${{{k}}}" for k in FILE_SECRETS[repo]}
    relay = yaml.safe_load(by_name["alertmanager-main-dingtalk"]["stringData"]["config.yml"])
    assert relay == {"targets": {"payments-oncall": {"url": "${DINGTALK_PAYMENTS_URL}"}}}
    for path in compiled.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            for value in SECRET_VALUES.values():
                assert value not in text, f"{path} holds a secret value"
    config = yaml.safe_load(am)
    email = next(r for r in config["receivers"] if r["name"] == "platform-email")["email_configs"][0]
    assert email["auth_password_file"] == "/etc/alertmanager/secrets/alertmanager-main-env/SMTP_PASSWORD"
    dingtalk = next(r for r in config["receivers"] if r["name"] == "payments-oncall")["webhook_configs"][0]
    assert dingtalk["url"] == f"{DINGTALK_RELAY}/dingtalk/payments-oncall/send"


def test_compiling_twice_gives_the_same_bytes(shop):
    first = [run_obs("compile", cwd=shop).returncode]
    a = (shop / "out" / "alertmanager" / "alertmanager.yaml").read_bytes()
    first.append(run_obs("compile", cwd=shop).returncode)
    assert first == [0, 0] and (shop / "out" / "alertmanager" / "alertmanager.yaml").read_bytes() == a


@pytest.mark.parametrize("which", ["example", "shared"])
def test_a_kubesphere_shop_forwards_every_alert_to_notification_manager(which, tmp_path, amtool):
    shop = copy_tree(EXAMPLE_SHOP, tmp_path / "shop") if which == "example" else copy_shop_fixture(tmp_path / "shop")
    result = run_obs("compile", cwd=shop)
    assert result.returncode == 0, result.stderr
    config = shop / "out" / "alertmanager" / "alertmanager.yaml"
    check_config(amtool, config)
    for labels in ({"team": "payments", "severity": "critical"}, {"team": "nobody", "severity": "info"}):
        assert routes_test(amtool, config, labels) == ["notification-manager"]
    url = yaml.safe_load(config.read_text())["receivers"][0]["webhook_configs"][0]["url"]
    assert url == "http://notification-manager-svc.kubesphere-monitoring-system.svc:19093/api/v2/alerts"
    # KubeSphere owns alertmanager-main: obs writes no Secret for it
    assert not (shop / "out" / "kubernetes" / "alertmanager.yaml").exists()


def test_real_alertmanager_inhibits_the_warning_of_the_same_slo(compiled, alertmanager, amtool, tmp_path):
    text, missing = fill((compiled / "alertmanager" / "alertmanager.yaml").read_text(), SECRET_VALUES.get)
    assert missing == [] and "${" not in text
    config = tmp_path / "filled.yaml"
    config.write_text(text)
    check_config(amtool, config)
    alertmanager.start(config)
    base = {"team": "payments", "service": "checkout", "cluster": "prod-sh"}
    alertmanager.post([
        {"labels": {**base, "alertname": "ErrorBudgetBurn", "slo": "availability", "severity": "critical"}},
        {"labels": {**base, "alertname": "ErrorBudgetBurn", "slo": "availability", "severity": "warning"}},
        {"labels": {**base, "alertname": "ErrorBudgetBurn", "slo": "latency", "severity": "warning"}},
        {"labels": {**base, "alertname": "CheckoutHighLatencyP99", "severity": "warning"}},
        {"labels": {**base, "alertname": "CheckoutHikariPoolExhausted", "severity": "critical"}},
    ])
    state = {}
    for _ in range(50):
        state = {(a["labels"]["alertname"], a["labels"].get("slo"), a["labels"]["severity"]): a["status"]
                 for a in alertmanager.alerts()}
        if len(state) == 5 and state[("ErrorBudgetBurn", "availability", "warning")]["inhibitedBy"]:
            break
        time.sleep(0.1)
    assert state[("ErrorBudgetBurn", "availability", "warning")]["state"] == "suppressed"
    assert state[("ErrorBudgetBurn", "availability", "critical")]["state"] == "active"
    assert state[("ErrorBudgetBurn", "latency", "warning")]["state"] == "active"  # another SLO
    assert state[("CheckoutHighLatencyP99", None, "warning")]["state"] == "active"  # not an SLO alert
