"""A relay URL obs cannot know is a required setting: with Alertmanager delivering, a DingTalk or
WeCom group-robot channel without its relay is one error line (code, the channel's position, a
hint); the notification-manager mode needs none."""

from __future__ import annotations

from pathlib import Path

import pytest

from obs.project import AlertmanagerDefaults
from tests.helpers import run_obs

CHANNELS = """\
apiVersion: obs/v1
kind: Channel
metadata: {name: pay-dt}
spec:
  type: dingtalk
  url: {env: DT_URL}
  match: {team: payments}
---
apiVersion: obs/v1
kind: Channel
metadata: {name: pay-wecom}
spec:
  type: wecom
  url: {env: WECOM_URL}
  match: {team: payments}
"""


def _project(root: Path, targets: str, alertmanager: str = "") -> Path:
    root.mkdir()
    (root / "obs.yaml").write_text("apiVersion: obs/v1\nkind: Project\nmetadata: {name: r}\nspec:\n"
                                   f"  sources: [channels.yaml]\n  targets: [{targets}]\n"
                                   + (f"  defaults:\n    alertmanager: {alertmanager}\n" if alertmanager else ""))
    (root / "channels.yaml").write_text(CHANNELS)
    return root


def test_no_guessed_relay_defaults():
    d = AlertmanagerDefaults()
    assert d.dingtalkRelay is None and d.wecomRelay is None


@pytest.mark.parametrize("mode", ["", "{mode: alertmanagerconfig}"])
def test_missing_relays_are_one_line_errors_at_the_channel(tmp_path, mode):
    result = run_obs("compile", cwd=_project(tmp_path / "p", "alertmanager", mode))
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error[" in line]
    assert errors == [
        "channels.yaml:5:9: error[AM005]: dingtalk channel 'pay-dt' needs a relay (prometheus-webhook-dingtalk) "
        "for Alertmanager to deliver it, and defaults.alertmanager.dingtalkRelay is not set",
        "channels.yaml:13:9: error[AM005]: wecom channel 'pay-wecom' needs a relay (PrometheusAlert) "
        "for Alertmanager to deliver it, and defaults.alertmanager.wecomRelay is not set"], result.stderr
    assert "defaults.alertmanager.dingtalkRelay" in result.stderr.split(errors[0], 1)[1].splitlines()[1]
    assert "notification-manager" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "p" / "out" / "alertmanager").exists()


def test_set_relays_are_used(tmp_path):
    root = _project(tmp_path / "p", "alertmanager", '{dingtalkRelay: "http://dt.ops.svc:8060/", '
                                                    'wecomRelay: "http://pa.ops.svc:8080"}')
    result = run_obs("compile", cwd=root)
    assert result.returncode == 0, result.stderr
    text = (root / "out" / "alertmanager" / "alertmanager.yaml").read_text()
    assert "http://dt.ops.svc:8060/dingtalk/pay-dt/send" in text
    assert "http://pa.ops.svc:8080/prometheusalert?type=wx" in text


def test_notification_manager_needs_no_relay(tmp_path):
    result = run_obs("compile", cwd=_project(tmp_path / "p", "alertmanager, notification-manager"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "p" / "out" / "kubernetes" / "notification-manager.yaml").is_file()


def test_notification_manager_beside_alertmanager_delivering_is_a_warning(tmp_path):
    root = _project(tmp_path / "p", "alertmanager, notification-manager",
                    '{mode: secret, dingtalkRelay: "http://dt:8060", wecomRelay: "http://pa:8080"}')
    result = run_obs("lint", cwd=root)
    lines = [line for line in result.stderr.splitlines() if "[AM007]" in line]
    assert len(lines) == 1 and lines[0].startswith("obs.yaml:8:") and "warning[AM007]" in lines[0], result.stderr
