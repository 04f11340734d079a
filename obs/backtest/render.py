"""A backtest report as text (a small timeline per alert), JSON (`firings`, `slos`, `limits`) and
JUnit (a test case per alert, failed where it would have fired, so CI shows it)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from xml.sax.saxutils import quoteattr

from obs import __version__
from obs.backtest import Report
from obs.backtest.states import Firing
from obs.durations import format_seconds

WIDTH = 60


def rfc3339(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _end(f: Firing, report: Report) -> float:
    return f.end if f.end is not None else report.span.end


def firing_dict(f: Firing, report: Report) -> dict:
    return {"alert": f.alert, "labels": dict(sorted(f.labels.items())), "start": rfc3339(f.start),
            "end": rfc3339(_end(f, report)), "ongoing": f.end is None, "peak": _num(f.peak), "kind": f.kind,
            "duration_seconds": round(_end(f, report) - f.start, 3)}


def _num(value: float) -> float | None:
    return None if value != value or value in (float("inf"), float("-inf")) else round(value, 9)


def as_json(report: Report) -> str:
    doc = {
        "obs": __version__, "env": report.env,
        "range": {"start": rfc3339(report.span.start), "end": rfc3339(report.span.end)},
        "firings": [firing_dict(f, report) for f in report.firings],
        "alerts": sorted([{"alert": r.alert.name, "group": r.alert.group, "kind": r.alert.kind,
                           **({"slo": f"{r.alert.slo.service}/{r.alert.slo.name}"} if r.alert.slo else {}),
                           "firings": len(r.firings), "error": r.error} for r in report.runs]
                         + [{"alert": r.entry.name, "group": r.server, "kind": "log", "firings": len(r.firings),
                             "error": r.skipped} for r in report.logs], key=lambda a: (a["alert"], a["group"], a.get("slo", ""))),
        "slos": [{"slo": s.key, "objective": s.objective, "error_ratio": s.error_ratio,
                  "budget_spent": s.budget_spent} for s in report.slos],
        "limits": report.limits,
    }
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"


def _alerts(report: Report) -> list[tuple[str, list[Firing], list]]:
    """(alert title, its firings, its no-data stretches) for every replayed alert."""
    out = []
    for r in report.runs:
        severity = r.alert.labels.get("severity")
        where = f"{r.alert.slo.service}/{r.alert.slo.name}" if r.alert.slo is not None else r.alert.group
        out.append((f"{r.alert.name}{' ' + severity if severity else ''} ({where})", r.firings, r.gaps))
    for r in report.logs:
        out.append((f"{r.entry.name} (log alert, {r.server})", r.firings, []))
    return sorted(out, key=lambda a: a[0])


def timeline(report: Report, firings: list[Firing], gaps: list) -> str:
    """WIDTH characters over the range: █ firing, ░ no data, ─ quiet."""
    a, b = report.span.start, report.span.end
    cell = (b - a) / WIDTH
    chars = []
    for i in range(WIDTH):
        lo, hi = a + i * cell, a + (i + 1) * cell
        if any(f.start < hi and _end(f, report) > lo for f in firings):
            chars.append("█")
        elif any(g.start < hi and g.end > lo for g in gaps):
            chars.append("░")
        else:
            chars.append("─")
    return "".join(chars)


def as_text(report: Report) -> str:
    lines = [f"backtest of {report.env} from {rfc3339(report.span.start)} to {rfc3339(report.span.end)}"
             f"  (█ firing, ░ no data)"]
    quiet = 0
    for title, firings, gaps in _alerts(report):
        if not firings and not gaps:
            quiet += 1
            continue
        lines.append(f"{title}: {len(firings)} firing{'s' if len(firings) != 1 else ''}")
        lines.append(f"  |{timeline(report, firings, gaps)}|")
        for f in firings:
            labels = ", ".join(f"{k}={v}" for k, v in sorted(f.labels.items()) if k != "alertname")
            end = "still firing" if f.end is None else rfc3339(f.end)
            lines.append(f"  {rfc3339(f.start)} → {end} ({format_seconds(_end(f, report) - f.start)}), "
                         f"peak {_fmt(f.peak)}  {{{labels}}}")
    if quiet:
        lines.append(f"{quiet} other alert{'s' if quiet != 1 else ''} would not have fired")
    for s in report.slos:
        spent = "no data" if s.budget_spent is None else f"{100 * s.budget_spent:.3g}% of a window's budget spent"
        ratio = "" if s.error_ratio is None else f", error ratio {100 * s.error_ratio:.4g}%"
        lines.append(f"SLO {s.key} ({s.objective:g}%): {spent}{ratio}")
    if report.limits:
        lines.append(f"{len(report.limits)} limits of the history (see --format json `limits`)")
    return "\n".join(lines) + "\n"


def _fmt(value: float) -> str:
    return f"{value:.4g}" if value == value else "NaN"


def as_junit(report: Report) -> str:
    cases = []
    for title, firings, _gaps in _alerts(report):
        body = ""
        if firings:
            text = "\n".join(f"{rfc3339(f.start)} → {rfc3339(_end(f, report))} peak {_fmt(f.peak)} "
                             f"{json.dumps(dict(sorted(f.labels.items())))}" for f in firings)
            body = (f"<failure message={quoteattr(f'would have fired {len(firings)} times')} type=\"firing\">"
                    f"{_escape(text)}</failure>")
        cases.append(f'  <testcase classname="obs.backtest" name={quoteattr(title)}>{body}</testcase>')
    failures = sum(1 for _, f, _ in _alerts(report) if f)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuite name="obs backtest {_escape(report.env)}" tests="{len(cases)}" failures="{failures}">\n'
            + "\n".join(cases) + ("\n" if cases else "") + "</testsuite>\n")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


FORMATS = {"text": as_text, "json": as_json, "junit": as_junit}
