"""Email from ElastAlert: a rule names only an `smtp_auth_file` that exists (obs writes it beside the rules,
password as `${VAR}`), port 465 is spoken as TLS from the start (`smtp_ssl`), and ElastAlert's own loader reads
both — from out/elastalert/ and from the ConfigMap as a pod mounts it."""

from __future__ import annotations

from pathlib import Path

import yaml
from helpers import run_obs
from servers import elastalert_load

PROJECT = """\
apiVersion: obs/v1
kind: Project
metadata: {{name: mail}}
spec:
  sources: ["*.yaml"]
  targets: [elastalert, alertmanager]
  defaults:
    logs: {{targets: [elastalert]{extra}}}
"""
ALERT = """\
apiVersion: obs/v1
kind: LogAlert
metadata: {name: boom, team: ops}
spec:
  query: 'log:"boom"'
  when: any
  severity: critical
  summary: Boom
  notify: [mail]
"""
#: every character YAML could read as syntax, quotes and backslashes included
PASSWORD = "  p@ss\"w\\rd #x: 'y' *z &{[%`!  "


def channel(**fields: str) -> str:
    spec = {"type": "email", "to": ["ops@example.com"], "smarthost": "smtp.example.com:465",
            "username": "alerts@example.com", "password": {"env": "SMTP_PASSWORD"}, **fields}
    return yaml.safe_dump({"apiVersion": "obs/v1", "kind": "Channel", "metadata": {"name": "mail"}, "spec": spec})


def project(root: Path, chan: str, extra: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "obs.yaml").write_text(PROJECT.format(extra=extra))
    (root / "alert.yaml").write_text(ALERT)
    (root / "channel.yaml").write_text(chan)
    return root


def compiled(root: Path) -> Path:
    proc = run_obs("compile", cwd=root, env={"SMTP_PASSWORD": PASSWORD})
    assert proc.returncode == 0, proc.stderr
    return root / "out"


def email_alerter(loaded: dict) -> dict:
    assert "error" not in loaded, loaded
    [alerter] = loaded["alerters"]
    assert alerter["class"] == "EmailAlerter"
    return alerter


def test_port_465_is_tls_from_the_start_and_the_auth_file_is_written_and_read(tmp_path):
    out = compiled(project(tmp_path, channel()))
    rule = yaml.safe_load((out / "elastalert" / "boom.yaml").read_text())
    assert rule["alert"][0]["email"]["smtp_auth_file"] == "mail.smtp-auth"
    assert (out / "elastalert" / "mail.smtp-auth").is_file()
    alerter = email_alerter(elastalert_load([out / "elastalert" / "boom.yaml"],
                                            env={"SMTP_PASSWORD": PASSWORD})["boom.yaml"])
    assert alerter["options"]["smtp_ssl"] is True and alerter["options"]["smtp_port"] == 465
    assert alerter["account"] == {"user": "alerts@example.com", "password": PASSWORD}
    for f in out.rglob("*"):
        assert not f.is_file() or "p@ss" not in f.read_text(), f  # the password only at ElastAlert's run time


def test_the_configmap_holds_the_auth_file_beside_the_rules(tmp_path):
    """Mounted as a volume, the ConfigMap's keys are the files of the rules folder; the rule's relative
    smtp_auth_file resolves there (ElastAlert joins it to the rule's folder)."""
    out = compiled(project(tmp_path / "p", channel()))
    cm = yaml.safe_load((out / "kubernetes" / "elastalert-rules.yaml").read_text())
    assert set(cm["data"]) == {"boom.yaml", "mail.smtp-auth"}
    assert cm["metadata"]["annotations"]["obs.dev/env"] == "SMTP_PASSWORD"
    mounted = tmp_path / "rules"
    mounted.mkdir()
    for key, text in cm["data"].items():
        (mounted / key).write_text(text)
    loaded = elastalert_load([mounted / "boom.yaml"], env={"SMTP_PASSWORD": PASSWORD})["boom.yaml"]
    assert email_alerter(loaded)["account"]["password"] == PASSWORD


def test_other_ports_keep_plain_smtp_with_starttls(tmp_path):
    out = compiled(project(tmp_path, channel(smarthost="smtp.example.com:587")))
    alerter = email_alerter(elastalert_load([out / "elastalert" / "boom.yaml"],
                                            env={"SMTP_PASSWORD": PASSWORD})["boom.yaml"])
    assert "smtp_ssl" not in alerter["options"] and alerter["options"]["smtp_port"] == 587


def test_a_channel_without_password_names_no_auth_file(tmp_path):
    text = channel().replace("  password:\n    env: SMTP_PASSWORD\n", "")
    out = compiled(project(tmp_path, text))
    assert "smtp_auth_file" not in (out / "elastalert" / "boom.yaml").read_text()
    assert not list((out / "elastalert").glob("*.smtp-auth"))


def test_smtp_auth_dir_names_files_the_team_mounts_and_writes_none(tmp_path):
    out = compiled(project(tmp_path, channel(), ", smtpAuthDir: /etc/elastalert/smtp"))
    rule = yaml.safe_load((out / "elastalert" / "boom.yaml").read_text())
    assert rule["alert"][0]["email"]["smtp_auth_file"] == "/etc/elastalert/smtp/mail.yaml"
    assert not list(out.rglob("*.smtp-auth"))


def _lint(root: Path, chan: str) -> list[str]:
    proc = run_obs("lint", cwd=project(root, chan))
    return [line for line in proc.stderr.splitlines() if "[LG020]" in line]


def test_a_password_without_username_says_which_login_would_be_used(tmp_path):
    no_user = channel().replace("  username: alerts@example.com\n", "")
    assert _lint(tmp_path / "a", no_user) == [
        "channel.yaml:7:5: warning[LG020]: email channel 'mail' has a password but no username or from: the SMTP "
        "login would be 'alertmanager@example.com', guessed from the smarthost"]
    assert _lint(tmp_path / "b", no_user + "  from: alerts@example.com\n") == []
    assert _lint(tmp_path / "c", channel()) == []
