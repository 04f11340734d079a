"""The standalone profile's files are what the real servers accept and run: promtool checks
prometheus.yml, and Prometheus started with the profile's own systemd ExecStart line loads obs's
rule groups from the folder `obs apply` writes them to; amtool checks alertmanager.yml and routes
each channel's labels to that channel."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from obs.apply.folder import OwnedFolder
from tests.apply.servers import Server
from tests.bootstrap.bootstrap_helpers import render_here
from tests.helpers import EXAMPLE_SHOP, copy_tree, run_obs


class FromUnit(Server):
    """A server started with the ExecStart line of a rendered systemd unit."""

    def __init__(self, workdir: Path, name: str) -> None:
        super().__init__(workdir)
        self.name = name

    def command(self) -> list[str]:
        return self.exec_start

    def get_rules(self) -> list[dict]:
        return self.get("/api/v1/rules")["data"]["groups"]


def exec_start(unit: Path) -> list[str]:
    line = next(x for x in unit.read_text().splitlines() if x.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


@pytest.fixture
def laptop(tmp_path: Path):
    """examples/shop on a VM: Prometheus, ElastAlert and Alertmanager targets, an environment `laptop`
    on this machine's folders and free ports; compiled,
    and the standalone profile rendered from that environment."""
    root = copy_tree(EXAMPLE_SHOP, tmp_path / "shop")
    server = FromUnit(tmp_path, "prometheus")
    am = FromUnit(tmp_path, "alertmanager")
    for folder in ("rules", "am", "ea", "targets", "data"):
        (tmp_path / folder).mkdir()
    text = (root / "obs.yaml").read_text().replace("  environments:\n", f"""  environments:
    laptop:
      prometheus: {{url: "{server.url}", rulesDir: "{tmp_path / 'rules'}"}}
      alertmanager: {{url: "{am.url}", configFile: "{tmp_path / 'am' / 'alertmanager.yml'}"}}
      elastalert: {{rulesDir: "{tmp_path / 'ea'}"}}
""", 1)
    # a VM's targets (no KubeSphere: Alertmanager itself delivers to the channels, through the relays)
    text = re.sub(r"targets: \[[^\]]*\]", "targets: [prometheus, elastalert, alertmanager]", text, count=1)
    text = text.replace("  defaults:\n", "  defaults:\n    alertmanager:\n"
                        "      dingtalkRelay: http://127.0.0.1:8060\n      wecomRelay: http://127.0.0.1:8080\n", 1)
    (root / "obs.yaml").write_text(text)
    assert run_obs("compile", cwd=root).returncode == 0
    out = tmp_path / "stack"
    render_here(root, "standalone", out, f"prometheus.storage={tmp_path / 'data'}",
                f"alertmanager.storage={tmp_path / 'am-data'}",
                f"prometheus.targetsDir={tmp_path / 'targets'}", env="laptop")
    server.alertmanager = am
    return root, out, server, tmp_path


def test_prometheus_runs_the_profile_and_loads_obs_rule_groups(laptop, promtool):
    root, out, server, tmp = laptop
    config = out / "prometheus" / "prometheus.yml"
    check = subprocess.run([promtool, "check", "config", "--syntax-only", str(config)], capture_output=True,
                           text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    loaded = yaml.safe_load(config.read_text())
    assert loaded["rule_files"] == [f"{tmp / 'rules'}/*.yaml"]
    assert {j["job_name"] for j in loaded["scrape_configs"]} >= {"checkout", "order", "recommend"}
    # the rule files as `obs apply --target prometheus` names them in its rulesDir
    names = OwnedFolder(tmp / "rules", "shop")
    expected = set()
    for rules in sorted((root / "out" / "prometheus").glob("*.rules.yaml")):
        (tmp / "rules" / names.name_for(f"prometheus/{rules.name}")).write_bytes(rules.read_bytes())
        expected |= {g["name"] for g in yaml.safe_load(rules.read_text())["groups"]}
    server.exec_start = exec_start(out / "systemd" / "obs-prometheus.service")
    assert f"--config.file={config}" not in server.exec_start  # the unit names the installed path ...
    server.exec_start = [a if not a.startswith("--config.file=") else f"--config.file={config}"
                         for a in server.exec_start]  # ... which this test cannot write to
    assert "--web.enable-lifecycle" in server.exec_start  # obs apply reloads through /-/reload
    server.start()
    try:
        groups = server.get_rules()
    finally:
        server.stop()
    assert {g["name"] for g in groups} == expected and expected
    assert {Path(g["file"]).parent for g in groups} == {tmp / "rules"}


def test_alertmanager_config_checks_and_routes_each_channel_to_itself(laptop, amtool):
    root, out, _, tmp = laptop
    config = out / "alertmanager" / "alertmanager.yml"
    assert config.read_bytes() == (root / "out" / "alertmanager" / "alertmanager.yaml").read_bytes()
    check = subprocess.run([amtool, "check-config", str(config)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    channels = [d for d in yaml.safe_load_all((root / "channels.yaml").read_text()) if d]
    assert channels
    for channel in channels:
        labels = [f"{k}={v}" for k, v in channel["spec"]["match"].items()] + ["severity=critical", "alertname=X"]
        routed = subprocess.run([amtool, "config", "routes", "test", f"--config.file={config}",
                                 f"--verify.receivers={channel['metadata']['name']}", *labels],
                                capture_output=True, text=True, timeout=60)
        assert routed.returncode == 0, (channel["metadata"]["name"], routed.stdout, routed.stderr)
    # the real Alertmanager, started with the unit's own command line, runs the file at its path
    am = laptop[2].alertmanager
    am.exec_start = exec_start(out / "systemd" / "obs-alertmanager.service")
    assert f"--config.file={tmp / 'am' / 'alertmanager.yml'}" in am.exec_start  # where obs apply writes it
    assert "--cluster.listen-address=" in am.exec_start
    (tmp / "am" / "alertmanager.yml").write_bytes(config.read_bytes())  # as obs apply would (unfilled here)
    am.start()
    try:
        status = am.get("/api/v2/status")
    finally:
        am.stop()
    assert status["cluster"]["status"] == "disabled"
    receivers = {r["name"] for r in yaml.safe_load(status["config"]["original"])["receivers"]}
    assert receivers >= {c["metadata"]["name"] for c in channels}


#: run in ElastAlert 2's venv: its own load_conf on the config, and the rule files its loader finds
EA_LOAD_CONF = """
import json, sys
from elastalert.config import load_conf
from elastalert.elastalert import ElastAlerter
cli = ElastAlerter.__new__(ElastAlerter)
cli.parse_args(['--config', sys.argv[1]])  # its own command line, as the systemd unit passes it
conf = load_conf(cli.args)
names = conf['rules_loader'].get_names(conf)
print(json.dumps({'rules_folder': conf['rules_folder'], 'es_host': conf['es_host'], 'es_port': conf['es_port'],
                  'writeback_index': conf['writeback_index'], 'run_every': conf['run_every'].total_seconds(),
                  'rules': sorted(n.rsplit('/', 1)[-1] for n in names)}))
"""


def test_elastalert_loads_the_config_and_finds_the_rules_obs_apply_writes(laptop):
    """ElastAlert 2's own load_conf reads config.yaml and its loader finds the rule files in the
    environment's elastalert.rulesDir (where `obs apply --target elastalert` writes them)."""
    from tests.logs.servers import EA_PYTHON
    if not EA_PYTHON.exists():
        pytest.fail(f"ElastAlert 2 is not installed in {EA_PYTHON.parent.parent}: run scripts/setup-elastalert.sh")
    root, out, _, tmp = laptop
    names = OwnedFolder(tmp / "ea", "shop")
    rules = sorted((root / "out" / "elastalert").glob("*.yaml"))
    for rule in rules:
        (tmp / "ea" / names.name_for(f"elastalert/{rule.name}")).write_bytes(rule.read_bytes())
    config = out / "elastalert" / "config.yaml"
    proc = subprocess.run([str(EA_PYTHON), "-c", EA_LOAD_CONF, str(config)], capture_output=True, text=True,
                          timeout=120, cwd=tmp)
    assert proc.returncode == 0, proc.stderr[-2000:]
    loaded = yaml.safe_load(proc.stdout.splitlines()[-1])
    assert loaded["rules_folder"] == str(tmp / "ea") and loaded["run_every"] == 60
    assert (loaded["es_host"], loaded["es_port"], loaded["writeback_index"]) == ("127.0.0.1", 9200, "elastalert")
    assert loaded["rules"] == sorted(names.name_for(f"elastalert/{r.name}") for r in rules) and rules
    unit = (out / "systemd" / "obs-elastalert.service").read_text()
    assert "--config /etc/elastalert/config.yaml" in unit
