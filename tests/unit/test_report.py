"""Each report format is valid for the tool that reads it."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from obs import report
from obs.diagnostics import Diagnostic, Position, Severity

DIAGS = [Diagnostic("SC001", "unknown field 'runtme' in spec", Position("s.yaml", 5, 3), hint="did you mean 'runtime'?"),
         Diagnostic("AL001", "alert X has no severity <&>", Position("r.yaml", 2, 1), Severity.WARNING)]


def test_text_is_one_line_per_problem_with_hints():
    lines = report.text(DIAGS).splitlines()
    assert lines[0] == "s.yaml:5:3: error[SC001]: unknown field 'runtme' in spec"
    assert lines[1] == "  hint: did you mean 'runtime'?"
    assert lines[-1] == "1 error, 1 warning"


def test_junit_is_xml_with_one_failure():
    root = ET.fromstring(report.junit(DIAGS))
    suite = root.find("testsuite")
    assert suite.get("failures") == "1" and len(suite.findall("testcase")) == 2


def test_gitlab_code_quality_fields():
    items = json.loads(report.gitlab(DIAGS))
    assert items[0]["location"] == {"path": "s.yaml", "lines": {"begin": 5}}
    assert {i["severity"] for i in items} <= {"info", "minor", "major", "critical", "blocker"}
    assert len({i["fingerprint"] for i in items}) == 2


def test_sarif_structure():
    doc = json.loads(report.sarif(DIAGS))
    run = doc["runs"][0]
    assert doc["version"] == "2.1.0"
    assert run["results"][0]["locations"][0]["physicalLocation"]["region"] == {"startLine": 5, "startColumn": 3}
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {"SC001", "AL001"}


def test_github_annotations():
    lines = report.github(DIAGS).splitlines()
    assert lines[0].startswith("::error file=s.yaml,line=5,col=3,title=SC001::unknown field")


def test_json_records():
    assert json.loads(report.as_json(DIAGS))[0] == {
        "code": "SC001", "severity": "error", "message": "unknown field 'runtme' in spec",
        "hint": "did you mean 'runtime'?", "file": "s.yaml", "line": 5, "column": 3}
