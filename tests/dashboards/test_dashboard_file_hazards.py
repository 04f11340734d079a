"""A team's dashboard file is its own code: what it prints, how long it runs, what it assigns to
`dashboard` and the uids it picks must never break obs's reports, hang the CI gate or make two
dashboards overwrite each other in the cluster."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml

from obs.dashboards import custom
from obs.pipeline import build


def _write(root: Path, path: str, text: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(textwrap.dedent(text).lstrip())


def _diags(root: Path) -> list[str]:
    return [d.render() for d in build(root, targets=["grafana"]).diags]


def test_printing_file_leaves_machine_readable_reports_intact(demo):
    _write(demo, "dashboards/chatty.dashboard.py", """
        from grafanalib.core import Dashboard
        print("building the chatty dashboard")
        dashboard = Dashboard(title="Chatty", uid="chatty")
        raise RuntimeError("and then it fails")
    """)
    run = subprocess.run([sys.executable, "-m", "obs", "lint", "--format", "json"], cwd=demo, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    report = json.loads(run.stdout)  # the file's print went elsewhere
    assert [(d["code"], d["file"], d["line"]) for d in report] == [("DB001", "dashboards/chatty.dashboard.py", 4)]
    assert "building the chatty dashboard" in run.stderr


def test_dataclasses_and_pickling_work_as_in_an_imported_module(demo):
    """grafanalib's generate-dashboard imports the file as a module; code that looks itself up in
    sys.modules (dataclasses, attrs, typing) must work the same here."""
    _write(demo, "dashboards/typed.dashboard.py", """
        from dataclasses import dataclass
        from grafanalib.core import Dashboard

        @dataclass
        class Panel:
            title: str

        dashboard = Dashboard(title=Panel("Typed").title, uid="typed")
    """)
    assert _diags(demo) == []
    assert not [m for m in sys.modules if m.startswith("obs_custom_dashboard_")]


def test_dashboard_that_is_not_a_dashboard_is_refused(demo):
    _write(demo, "dashboards/adict.dashboard.py", 'dashboard = {"foo": 1}\n')
    _write(demo, "dashboards/none.dashboard.py", "dashboard = None\n")
    _write(demo, "dashboards/text.dashboard.py", 'dashboard = "my dashboard"\n')
    _write(demo, "dashboards/plain.dashboard.py", 'dashboard = {"title": "Plain", "uid": "plain", "panels": []}\n')
    diags = _diags(demo)
    assert [d.split(": error[")[0] for d in diags] == ["dashboards/adict.dashboard.py:1:1",
                                                       "dashboards/none.dashboard.py:1:1",
                                                       "dashboards/text.dashboard.py:1:1"]
    assert all("error[DB002]" in d for d in diags)
    assert "neither a dashboard" in diags[0] and "NoneType" in diags[1] and "str" in diags[2]
    outputs = {a.path for a in build(demo, targets=["grafana"]).artifacts}
    assert "grafana/plain.json" in outputs and "grafana/demo-adict.json" not in outputs


def test_file_that_never_returns_is_stopped_at_the_looping_line(demo, monkeypatch):
    monkeypatch.setattr(custom, "TIME_LIMIT", 0.5)
    _write(demo, "dashboards/forever.dashboard.py", """
        from grafanalib.core import Dashboard
        n = 0
        while True:
            try:
                n += 1
            except BaseException:
                pass  # even code that swallows everything is stopped
    """)
    diags = _diags(demo)
    assert len(diags) == 1, diags
    assert diags[0].startswith("dashboards/forever.dashboard.py:")
    assert "error[DB001]" in diags[0] and "did not finish within 0.5s" in diags[0]
    line = int(diags[0].split(":")[1])
    assert 3 <= line <= 7


def test_uids_that_differ_only_in_case_or_punctuation_never_share_a_configmap(demo):
    _write(demo, "dashboards/upper.dashboard.py", """
        from grafanalib.core import Dashboard
        dashboard = Dashboard(title="Upper", uid="Team-Sales")
    """)
    _write(demo, "dashboards/lower.dashboard.py", """
        from grafanalib.core import Dashboard
        dashboard = Dashboard(title="Lower", uid="team-sales")
    """)
    _write(demo, "dashboards/under.dashboard.py", """
        from grafanalib.core import Dashboard
        dashboard = Dashboard(title="Under", uid="team_stock")
    """)
    _write(demo, "dashboards/dash.dashboard.py", """
        from grafanalib.core import Dashboard
        dashboard = Dashboard(title="Dash", uid="team-stock")
    """)
    b = build(demo, targets=["grafana"])
    diags = [d.render() for d in b.diags]
    # Grafana on MySQL and case-insensitive file systems take Team-Sales and team-sales for one uid
    assert len(diags) == 1 and "error[DB005]" in diags[0] and "team-sales" in diags[0].lower(), diags
    names = [yaml.safe_load(a.content)["metadata"]["name"] for a in b.artifacts if a.path.startswith("kubernetes/")]
    assert len(names) == len(set(names)), sorted(names)
    stock = sorted(n for n in names if "stock" in n and "demo" not in n)
    assert stock[0] == "grafana-dashboard-team-stock" and stock[1].startswith("grafana-dashboard-team-stock-")


def test_a_file_that_changes_directory_leaves_obs_where_it_was(demo, tmp_path, monkeypatch):
    monkeypatch.chdir(demo)
    _write(demo, "dashboards/aaa.dashboard.py", f"""
        import os
        os.chdir({str(tmp_path)!r})
        from grafanalib.core import Dashboard
        dashboard = Dashboard(title="Moves", uid="moves")
    """)
    assert _diags(Path(".")) == []
    assert Path.cwd() == demo
