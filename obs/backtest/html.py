"""The backtest as one self-contained HTML page (inline SVG, no CDN, no network): per SLO a chart
of its error ratio, each tier's burn rate against its factor, and the firings over the range —
readable without Grafana, e.g. as a CI artefact."""

from __future__ import annotations

import math
from html import escape

from obs.backtest import Report
from obs.backtest.render import firing_dict, rfc3339
from obs.backtest.slos import Series, SLOSummary

W, H, PAD = 900, 150, 48
COLOURS = ("#1f77b4", "#9467bd", "#2ca02c", "#8c564b", "#17becf", "#7f7f7f")
SEVERITY_COLOURS = {"critical": "#d62728", "warning": "#ff7f0e", "info": "#bcbd22"}

STYLE = """body{font:14px system-ui,sans-serif;margin:24px;color:#222}h2{margin:28px 0 4px}
svg{background:#fafafa;border:1px solid #ddd;display:block;margin:6px 0}
table{border-collapse:collapse;margin-top:8px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
.legend span{margin-right:14px}.muted{color:#777}"""

#: a few lines, no library: counts the charts drawn (the headless-browser test reads it)
SCRIPT = """document.addEventListener("DOMContentLoaded",function(){
var n=document.querySelectorAll("svg.slo-chart").length;document.body.setAttribute("data-charts",String(n));});"""


def page(report: Report) -> str:
    title = f"obs backtest — {report.env}, {rfc3339(report.span.start)} to {rfc3339(report.span.end)}"
    parts = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(title)}</title>"
             f"<style>{STYLE}</style><script>{SCRIPT}</script></head><body>", f"<h1>{escape(title)}</h1>"]
    if not report.slos:
        parts.append("<p class=\"muted\">No SLO was replayed.</p>")
    for s in report.slos:
        parts.append(_slo(report, s))
    parts.append(_table(report))
    parts.append("</body></html>\n")
    return "".join(parts)


def _x(report: Report, t: float) -> float:
    a, b = report.span.start, report.span.end
    return PAD + (W - 2 * PAD) * (t - a) / (b - a)


def _slo(report: Report, s: SLOSummary) -> str:
    spent = "no data" if s.budget_spent is None else f"{100 * s.budget_spent:.3g}% of a window's error budget spent"
    mine = [f for f in report.firings if f.kind == "slo" and f.labels.get("service") == s.entry.service
            and f.labels.get("slo") == s.entry.name]
    out = [f"<h2>{escape(s.key)}</h2><p>objective {s.objective:g}% — {escape(spent)}; "
           f"{len(mine)} firing{'s' if len(mine) != 1 else ''}</p>"]
    svg = [f'<svg class="slo-chart" data-slo="{escape(s.key)}" width="{W}" height="{2 * H + 40}" '
           f'viewBox="0 0 {W} {2 * H + 40}" role="img" aria-label="{escape(s.key)}">']
    for f in mine:  # firings behind both panels
        x0 = _x(report, f.start)
        x1 = _x(report, f.end if f.end is not None else report.span.end)
        colour = SEVERITY_COLOURS.get(f.severity, "#999")
        svg.append(f'<rect x="{x0:.1f}" y="10" width="{max(1.0, x1 - x0):.1f}" height="{2 * H + 10}" '
                   f'fill="{colour}" fill-opacity="0.18"><title>{escape(f.severity)} {rfc3339(f.start)}</title></rect>')
    svg.append(_panel(report, "error ratio", {"error ratio": s.ratio_series}, {}, 10, percent=True))
    svg.append(_panel(report, "burn rate (× budget)", s.burn, s.thresholds, H + 30, log=True))
    svg.append(f'<text x="{PAD}" y="{2 * H + 36}" font-size="11">{rfc3339(report.span.start)}</text>'
               f'<text x="{W - PAD}" y="{2 * H + 36}" font-size="11" text-anchor="end">'
               f'{rfc3339(report.span.end)}</text></svg>')
    out.append("".join(svg))
    legend = [f'<span style="color:{COLOURS[(i + 1) % len(COLOURS)]}">━ burn {escape(k)} (factor '
              f'{s.thresholds.get(k, 0):g})</span>' for i, k in enumerate(s.burn)]
    legend += [f'<span style="color:{c}">█ {k} firing</span>' for k, c in SEVERITY_COLOURS.items()]
    out.append(f'<div class="legend">{"".join(legend)}</div>')
    return "".join(out)


def _panel(report: Report, name: str, lines: dict[str, Series], thresholds: dict[str, float], top: float,
           percent: bool = False, log: bool = False) -> str:
    values = [v for series in lines.values() for _, v in series if v is not None]
    high = max(values + list(thresholds.values()) + [1e-9])
    low = 0.1 if log else 0.0
    high = max(high * 1.1, 10.0 if log else high * 1.1)

    def y(v: float) -> float:
        if log:
            v = max(v, low)
            share = (math.log10(v) - math.log10(low)) / (math.log10(high) - math.log10(low))
        else:
            share = v / high
        return top + H - share * H

    out = [f'<rect x="{PAD}" y="{top}" width="{W - 2 * PAD}" height="{H}" fill="none" stroke="#ccc"/>',
           f'<text x="{PAD + 4}" y="{top + 14}" font-size="12">{escape(name)}</text>',
           f'<text x="{PAD - 4}" y="{top + 10}" font-size="10" text-anchor="end">'
           f'{_label(high, percent)}</text>']
    for i, (label, series) in enumerate(lines.items()):
        colour = COLOURS[i % len(COLOURS)] if percent else COLOURS[(i + 1) % len(COLOURS)]
        for path in _paths(report, series, y):
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.3" points="{path}">'
                       f'<title>{escape(label)}</title></polyline>')
        if label in thresholds:
            ty = y(thresholds[label])
            out.append(f'<line x1="{PAD}" x2="{W - PAD}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{colour}" '
                       f'stroke-dasharray="4 3"/>')
    return "".join(out)


def _paths(report: Report, series: Series, y) -> list[str]:
    """Polyline point lists, broken where there is no data (a gap stays a gap, never a 0)."""
    paths, current = [], []
    for t, v in series:
        if v is None or v != v:
            if current:
                paths.append(" ".join(current))
            current = []
            continue
        current.append(f"{_x(report, t):.1f},{y(v):.1f}")
    if current:
        paths.append(" ".join(current))
    return paths


def _label(value: float, percent: bool) -> str:
    return f"{100 * value:.3g}%" if percent else f"{value:.3g}×"


def _table(report: Report) -> str:
    rows = ["<h2>Firings</h2><table><tr><th>alert</th><th>severity</th><th>start</th><th>end</th><th>peak</th>"
            "<th>labels</th></tr>"]
    for f in report.firings:
        d = firing_dict(f, report)
        labels = ", ".join(f"{k}={v}" for k, v in d["labels"].items() if k not in ("alertname", "severity"))
        rows.append(f"<tr><td>{escape(d['alert'])}</td><td>{escape(f.severity)}</td><td>{d['start']}</td>"
                    f"<td>{d['end']}{' (still firing)' if d['ongoing'] else ''}</td><td>{d['peak']}</td>"
                    f"<td>{escape(labels)}</td></tr>")
    if not report.firings:
        rows.append('<tr><td colspan="6" class="muted">no alert would have fired</td></tr>')
    rows.append("</table>")
    if report.limits:
        rows.append("<h2>Limits of the history</h2><ul>")
        rows += [f"<li>{escape(str(lim.get('alert', lim.get('server', ''))))}: {escape(lim['message'])} "
                 f"{escape(lim.get('selector', ''))} ({lim['start']} – {lim['end']})</li>" for lim in report.limits]
        rows.append("</ul>")
    return "".join(rows)
