"""Diagnostics → text, json, junit, gitlab, sarif, github. Each format is one function over
the same list of records (DOMAIN.md "CI report formats")."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from obs import __version__, codes
from obs.diagnostics import Diagnostic, Severity


def text(diags: list[Diagnostic]) -> str:
    lines = []
    for d in diags:
        lines.append(d.render())
        if d.hint:
            lines.append(f"  hint: {d.hint}")
    errors = sum(d.severity is Severity.ERROR for d in diags)
    warnings = sum(d.severity is Severity.WARNING for d in diags)
    lines.append(f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}")
    return "\n".join(lines) + "\n"


def _record(d: Diagnostic) -> dict:
    p = d.pos
    return {"code": d.code, "severity": d.severity.value, "message": d.message, "hint": d.hint,
            "file": p.file if p else None, "line": p.line if p else None, "column": p.col if p else None}


def as_json(diags: list[Diagnostic]) -> str:
    return json.dumps([_record(d) for d in diags], indent=2, ensure_ascii=False) + "\n"


def junit(diags: list[Diagnostic]) -> str:
    from xml.sax.saxutils import escape, quoteattr  # here: it pulls in urllib and http.client, which only JUnit needs

    failures = [d for d in diags if d.severity is Severity.ERROR]
    cases = []
    for d in diags:
        name = quoteattr(f"{d.code} {d.pos or ''}")
        body = escape(d.render() + (f"\nhint: {d.hint}" if d.hint else ""))
        kind = "failure" if d.severity is Severity.ERROR else "system-out"
        inner = (f'<failure type={quoteattr(d.code)} message={quoteattr(d.message)}>{body}</failure>'
                 if kind == "failure" else f"<system-out>{body}</system-out>")
        cases.append(f'    <testcase classname="obs.lint" name={name}>{inner}</testcase>')
    if not cases:
        cases.append('    <testcase classname="obs.lint" name="no problems"/>')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuites><testsuite name="obs lint" tests="{len(cases)}" failures="{len(failures)}">\n'
            + "\n".join(cases) + "\n</testsuite></testsuites>\n")


def _fingerprint(d: Diagnostic) -> str:
    return hashlib.sha256(f"{d.code}|{d.pos}|{d.message}".encode()).hexdigest()


def gitlab(diags: list[Diagnostic]) -> str:
    sev = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}
    return json.dumps([{
        "description": d.message + (f" (hint: {d.hint})" if d.hint else ""),
        "check_name": d.code, "fingerprint": _fingerprint(d), "severity": sev[d.severity],
        "location": {"path": d.pos.file if d.pos else "obs.yaml", "lines": {"begin": d.pos.line if d.pos else 1}},
    } for d in diags], indent=2, ensure_ascii=False) + "\n"


def sarif(diags: list[Diagnostic]) -> str:
    known = {c.code: c for c in codes.all_codes()}
    used = sorted({d.code for d in diags})
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
    results = []
    for d in diags:
        result: dict = {"ruleId": d.code, "level": level[d.severity], "message": {"text": d.message}}
        if d.pos:
            result["locations"] = [{"physicalLocation": {
                "artifactLocation": {"uri": d.pos.file},
                "region": {"startLine": d.pos.line, "startColumn": d.pos.col}}}]
        results.append(result)
    rules = [{"id": c, "name": known[c].name if c in known else c,
              "shortDescription": {"text": known[c].doc if c in known else c}} for c in used]
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "obs", "version": __version__, "rules": rules}},
                     "results": results}]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def github(diags: list[Diagnostic]) -> str:
    def esc(s: str) -> str:
        return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    kind = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for d in diags:
        params = [f"file={d.pos.file},line={d.pos.line},col={d.pos.col}"] if d.pos else []
        params.append(f"title={d.code}")
        msg = d.message + (f" (hint: {d.hint})" if d.hint else "")
        lines.append(f"::{kind[d.severity]} {','.join(params)}::{esc(msg)}")
    return "\n".join(lines) + ("\n" if lines else "")


FORMATS: dict[str, Callable[[list[Diagnostic]], str]] = {
    "text": text, "json": as_json, "junit": junit, "gitlab": gitlab, "sarif": sarif, "github": github}
