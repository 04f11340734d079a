"""The team's own dashboards: grafanalib files and jsonnet (grafonnet, mixins), and every way
they can go wrong turned into one diagnostic at the file and line — never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from obs.pipeline import build


def _write(root: Path, path: str, text: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(textwrap.dedent(text).lstrip())


def _diags(root: Path) -> list[str]:
    return [d.render() for d in build(root, targets=["grafana"]).diags]


def _dashboard(root: Path, uid: str) -> dict:
    b = build(root, targets=["grafana"])
    return json.loads(next(a.content for a in b.artifacts if a.path == f"grafana/{uid}.json"))


def test_grafanalib_file_with_a_helper_beside_it(demo_build):
    data = json.loads(next(a.content for a in demo_build.artifacts if a.path == "grafana/demo-sales.json"))
    assert data["title"] == "Sales" and data["id"] is None
    assert [p["title"] for p in data["panels"]] == ["Orders / s", "Refunds / s"]
    assert data["panels"][0]["targets"][0]["expr"] == "sum(rate(orders_created_total[$__rate_interval]))"


def test_helper_modules_do_not_leak_between_files(demo):
    """Two folders with their own helpers.py: each file sees its own, as in a process of its own."""
    _write(demo, "other/helpers.py", 'TITLE = "from other"\n')
    _write(demo, "other/x.dashboard.py", """
        from grafanalib.core import Dashboard
        from helpers import TITLE
        dashboard = Dashboard(title=TITLE, uid="other-x")
    """)
    (demo / "obs.yaml").write_text((demo / "obs.yaml").read_text().replace(
        '"dashboards/*.jsonnet"]', '"dashboards/*.jsonnet", "other/*.dashboard.py"]'))
    assert _diags(demo) == []
    assert _dashboard(demo, "other-x")["title"] == "from other"
    assert "helpers" not in sys.modules or "other" not in str(getattr(sys.modules["helpers"], "__file__", ""))


def test_raising_file_is_a_diagnostic_at_the_raising_line(demo):
    _write(demo, "dashboards/broken.dashboard.py", """
        from grafanalib.core import Dashboard

        def panels():
            return [1 / 0]

        dashboard = Dashboard(title="x", panels=panels())
    """)
    assert _diags(demo) == ["dashboards/broken.dashboard.py:4:1: error[DB001]: dashboards/broken.dashboard.py "
                            "raised ZeroDivisionError: division by zero"]


def test_error_inside_a_helper_points_at_the_call_in_the_dashboard_file(demo):
    _write(demo, "dashboards/bad_helper.dashboard.py", """
        from grafanalib.core import Dashboard
        from helpers import rate_panel

        dashboard = Dashboard(title="x", panels=[rate_panel()])
    """)
    (diag,) = _diags(demo)
    assert diag.startswith("dashboards/bad_helper.dashboard.py:4:1: error[DB001]: ")
    assert "TypeError" in diag and "rate_panel()" in diag


def test_grafanalib_validation_error_and_system_exit_are_diagnostics(demo):
    _write(demo, "dashboards/invalid.dashboard.py", """
        from grafanalib.core import Dashboard, TimeSeries
        import sys
        dashboard = Dashboard(title="x", panels=[TimeSeries(title="t", lineWidth="wide")])
    """)
    _write(demo, "dashboards/exits.dashboard.py", "import sys\nsys.exit(3)\n")
    diags = _diags(demo)
    assert diags[0].startswith("dashboards/exits.dashboard.py:2:1: error[DB001]: dashboards/exits.dashboard.py "
                               "raised SystemExit")
    assert diags[1].startswith("dashboards/invalid.dashboard.py:3:1: error[DB001]: ")
    assert "lineWidth" in diags[1]


def test_syntax_error_and_missing_dashboard(demo):
    _write(demo, "dashboards/syntax.dashboard.py", "x = 1\ndashboard = Dashboard(title=\n")
    _write(demo, "dashboards/empty.dashboard.py", "from grafanalib.core import Dashboard\nboard = None\n")
    diags = _diags(demo)
    assert diags[0] == ("dashboards/empty.dashboard.py:1:1: error[DB002]: dashboards/empty.dashboard.py defines "
                        "no module-level `dashboard`")
    assert diags[1].startswith("dashboards/syntax.dashboard.py:2:")
    assert "error[DB001]" in diags[1] and "not valid Python" in diags[1]


def test_jsonnet_grafonnet_style_from_vendor(demo_build):
    data = json.loads(next(a.content for a in demo_build.artifacts if a.path == "grafana/demo-stock.json"))
    assert data["title"] == "Stock levels" and data["uid"] == "demo-stock"  # derived: project + file name
    assert data["panels"][0]["targets"][0]["expr"] == "sum by (warehouse) (stock_items)"


def test_jsonnet_mixin_gives_one_dashboard_per_entry(demo):
    _write(demo, "vendor/mymixin/mixin.libsonnet", """
        {
          _config:: { selector: 'job="api"' },
          grafanaDashboards+:: {
            'api-overview.json': { uid: 'api-overview', title: 'API', panels: [] },
            'api-detail.json': { title: 'API detail', panels: [] },
          },
        }
    """)
    _write(demo, "dashboards/mixin.jsonnet", """
        local mixin = import 'mymixin/mixin.libsonnet';
        { grafanaDashboards: mixin.grafanaDashboards }
    """)
    assert _diags(demo) == []
    assert _dashboard(demo, "api-overview")["title"] == "API"
    assert _dashboard(demo, "demo-api-detail")["title"] == "API detail"


def test_jsonnet_errors_point_at_their_line(demo):
    _write(demo, "dashboards/err.jsonnet", """
        local x = 1;
        { title: 'x', panels: [error 'no panels yet'] }
    """)
    _write(demo, "dashboards/static.jsonnet", "{ title: 'x',\n  panels: [ 1 2 ] }\n")
    diags = _diags(demo)
    assert diags == [
        "dashboards/err.jsonnet:2:24: error[DB001]: dashboards/err.jsonnet: jsonnet: RUNTIME ERROR: no panels yet",
        "dashboards/static.jsonnet:2:15: error[DB001]: dashboards/static.jsonnet: jsonnet: STATIC ERROR: "
        "expected a comma before next array element.",
    ]


def test_jsonnet_imports_cannot_leave_the_repository(demo, tmp_path):
    (tmp_path / "secret.libsonnet").write_text("{ token: 'x' }")
    _write(demo, "dashboards/escape.jsonnet", """
        local s = import '../../secret.libsonnet';
        { title: s.token, panels: [] }
    """)
    _write(demo, "dashboards/absolute.jsonnet", f"""
        local s = importstr '{tmp_path}/secret.libsonnet';
        {{ title: s, panels: [] }}
    """)
    diags = _diags(demo)
    assert len(diags) == 2 and all("error[DB003]" in d and "reaches outside the repository" in d for d in diags)
    assert diags[0].startswith("dashboards/absolute.jsonnet:1:")
    assert diags[1].startswith("dashboards/escape.jsonnet:1:")


def test_jsonnet_that_is_not_a_dashboard(demo):
    _write(demo, "dashboards/list.jsonnet", "[1, 2]\n")
    assert _diags(demo) == ["dashboards/list.jsonnet:1:1: error[DB002]: dashboards/list.jsonnet evaluates to "
                            "neither a dashboard, a mixin with grafanaDashboards, nor an object of dashboards"]


@pytest.mark.parametrize("body", ["raise RuntimeError('boom')", "import nonexistent_module_xyz"])
def test_cli_lint_reports_without_traceback(demo, body):
    _write(demo, "dashboards/cli.dashboard.py", f"x = 1\n{body}\n")
    run = subprocess.run([sys.executable, "-m", "obs", "lint"], cwd=demo, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert "dashboards/cli.dashboard.py:2:1: error[DB001]" in run.stdout + run.stderr


def test_exported_json_is_read_as_it_is(demo):
    (demo / "obs.yaml").write_text((demo / "obs.yaml").read_text().replace(
        '"dashboards/*.jsonnet"]', '"dashboards/*.jsonnet", "dashboards/*.json", "dashboards/*.txt"]'))
    exported = {"title": "Exported", "uid": "exported", "schemaVersion": 39, "panels": [
        {"type": "stat", "title": "Up", "datasource": {"type": "prometheus", "uid": "prometheus"},
         "targets": [{"refId": "A", "expr": "up"}]}]}
    (demo / "dashboards" / "exported.json").write_text(json.dumps({"dashboard": exported, "overwrite": True}))
    (demo / "dashboards" / "broken.json").write_text('{"title": "x",\n  "panels": [,]}')
    (demo / "dashboards" / "notes.txt").write_text("not a dashboard")
    assert _diags(demo) == [
        "dashboards/broken.json:2:14: error[DB001]: dashboards/broken.json is not valid JSON: Expecting value",
        "dashboards/notes.txt:1:1: error[DB002]: dashboards/notes.txt is not a dashboard file obs reads",
    ]
    assert _dashboard(demo, "exported") == {**exported, "id": None}


def test_running_dashboard_files_leaves_no_bytecode(demo, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # as without PYTHONDONTWRITEBYTECODE
    assert _diags(demo) == []
    assert not list(demo.rglob("__pycache__"))
