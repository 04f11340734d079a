"""The shop fixture's log alerts and its legacy ElastAlert rule: compiled, loaded by ElastAlert 2, no secret in out/,
and the lint of ElastAlert options against the real package's option set."""

from __future__ import annotations

import json
from pathlib import Path

from servers import EA_PYTHON, elastalert_load

from obs.logs.elastalert_options import extract, known
from obs.logs.secrets import values
from obs.pipeline import build
from obs.targets.elastalert import environment
from tests.conftest import run_obs

SECRETS = {"DINGTALK_PAYMENTS_URL": "https://oapi.dingtalk.com/robot/send?access_token=dt-SECRET-123",
           "WECOM_FULFILMENT_WEBHOOK": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wc-SECRET-456",
           "SMTP_PASSWORD": "smtp-SECRET-789"}


def _smtp_dir(shop: Path, tmp: Path) -> Path:
    auth = tmp / "smtp-auth"
    auth.mkdir()
    (auth / "platform-email.yaml").write_text("user: obs\npassword: ${SMTP_PASSWORD}\n")
    text = (shop / "obs.yaml").read_text().replace('timestampField: "@timestamp"',
                                                    f'timestampField: "@timestamp"\n      smtpAuthDir: {auth}')
    (shop / "obs.yaml").write_text(text)
    return auth


def test_shop_log_alerts_compile_load_in_elastalert_and_hold_no_secret(shop, tmp_path, elasticsearch):
    _smtp_dir(shop, tmp_path)
    import os
    proc = run_obs("compile", cwd=shop, env={**os.environ, **SECRETS})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = shop / "out"
    rules = sorted((out / "elastalert").glob("*.yaml"))
    assert {r.stem for r in rules} >= {"payment-exceptions", "checkout-error-spike", "order-logs-missing",
                                       "new-order-error-codes", "slow-inference-share", "es-slow-queries-avg",
                                       "mysql-client-cardinality", "java-oom-errors"}
    for f in out.rglob("*"):
        if f.is_file():
            text = f.read_text(errors="replace")
            assert not any(v in text or v.split("=")[-1] in text for v in SECRETS.values()), f
    _, server = elasticsearch
    needs = environment(build(shop).catalog)
    assert {n.var for n in needs} == {"DINGTALK_PAYMENTS_URL__ACCESS_TOKEN", "WECOM_FULFILMENT_WEBHOOK__KEY"}
    pod_env = values(needs, lambda source: SECRETS.get(source.removeprefix("env:")))
    loaded = elastalert_load(rules, port=server.port, env={**pod_env, "SMTP_PASSWORD": SECRETS["SMTP_PASSWORD"]})
    assert all("error" not in v for v in loaded.values()), {k: v.get("error") for k, v in loaded.items()}
    pay = loaded["payment-exceptions.yaml"]
    assert pay["class"] == "FrequencyRule" and pay["rule"]["num_events"] == 21
    assert pay["rule"]["query_key"] == "kubernetes.pod_name" and pay["rule"]["realert"] == 900
    assert pay["alerters"][0]["options"]["dingtalk_access_token"] == "dt-SECRET-123"  # expanded only at run time
    assert loaded["new-order-error-codes.yaml"]["alerters"][0]["options"]["work_wechat_bot_id"] == "wc-SECRET-456"
    oom = loaded["java-oom-errors.yaml"]
    assert oom["class"] == "FrequencyRule" and oom["rule"]["num_events"] == 1
    assert oom["alerters"][0]["class"] == "HTTPPostAlerter"
    configmap = (out / "kubernetes" / "elastalert-rules.yaml").read_text()
    assert "kind: ConfigMap" in configmap and "DINGTALK_PAYMENTS_URL__ACCESS_TOKEN" in configmap
    watch = json.loads((out / "watcher" / "shop-payment-exceptions.json").read_text())
    assert watch["throttle_period"] == "15m" and watch["metadata"]["obs"]["source"] == "services/checkout.yaml:65:7"


def test_legacy_rule_with_a_typo_is_reported_against_elastalerts_real_options(shop):
    legacy = shop / "legacy" / "elastalert-oom.yaml"
    legacy.write_text(legacy.read_text().replace("num_events: 1", "num_events: 1\nnum_event: 2"))
    diags = [d for d in build(shop).diags if d.code == "LG004"]
    assert len(diags) == 1
    assert "'num_event'" in diags[0].message and diags[0].hint == "did you mean 'num_events'?"
    assert (diags[0].pos.file, diags[0].pos.line, diags[0].pos.col) == ("legacy/elastalert-oom.yaml", 6, 1)


def test_option_list_matches_the_installed_elastalert_package():
    pkg = next((EA_PYTHON.parent.parent / "lib").glob("python3*/site-packages/elastalert"))
    assert extract(pkg) == set(known()), "run: python -m obs.logs.elastalert_options " + str(pkg)
