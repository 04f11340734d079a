"""`obs backtest --env E --since D`: the compiled alerts replayed over E's history.

Builds in memory as validate does, resolves the environment, asks each server once whether it
answers (an unreachable one is one line at its obs.yaml entry, exit 2), then replays the metric
alerts over Prometheus and the log alerts over Elasticsearch/OpenSearch (obs.backtest)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from obs.backtest import (
    ABSENT,
    LOG_HISTORY,
    NO_DATA,
    NO_SERVER,
    NOT_REPLAYED,
    QUERY_FAILED,
    RANGE,
    RETENTION,
    UNKNOWN_ITEM,
    Report,
)
from obs.backtest import logs as logbt
from obs.backtest import metrics, rules, slos
from obs.backtest.expand import ExpandError, Expander
from obs.backtest.metrics import Span
from obs.backtest.render import rfc3339
from obs.diagnostics import Diagnostic, ObsError, Severity
from obs.durations import format_seconds, is_duration, seconds
from obs.live.clients import Clients
from obs.live.environment import resolve_environment
from obs.live.errors import LiveError, diagnostic_for
from obs.live.prometheus import Prometheus
from obs.live.search import SearchClient
from obs.pipeline import build, locate


@dataclass
class Outcome:
    diags: list[Diagnostic] = field(default_factory=list)
    report: Report | None = None


def instant(text: str, now: float, what: str) -> float:
    """An RFC 3339 time, a Unix time, or a duration before `now` (ValueError otherwise)."""
    if is_duration(text):
        return now - seconds(text)
    try:
        return float(text)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{what} {text!r} is neither a duration (7d) nor an RFC 3339 time "
                         "(2026-01-31T12:00:00Z)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()


def backtest(project_dir: Path | None, env_name: str, since: str, until: str | None = None,
             items: list[str] | None = None, now: str | None = None, charts: bool = False) -> Outcome:
    out = Outcome()
    try:
        root = locate(project_dir)
        result = build(root)
    except ObsError as e:
        out.diags = e.diagnostics
        return out
    if result.diags.has_errors:
        out.diags = [d for d in result.diags.sorted() if d.severity is Severity.ERROR]
        return out
    try:
        current = instant(now, time.time(), "--now") if now else time.time()
        start, end = instant(since, current, "--since"), instant(until, current, "--until") if until else current
    except ValueError as e:
        out.diags.append(Diagnostic(RANGE, str(e), config=True))
        return out
    if start >= end:
        out.diags.append(Diagnostic(RANGE, "the range is empty: --since must be before --until", config=True))
        return out
    env, problems = resolve_environment(result.project, env_name)
    out.diags.extend(problems)
    if env is None or any(p.severity is Severity.ERROR for p in problems):
        return out
    catalog = result.catalog
    alerts, recordings = rules.collect(catalog)
    wanted = set(items or ())
    chosen = [a for a in alerts if rules.selected(a, wanted)]
    entries = [e for e in catalog.log_alerts if not wanted or {e.name, e.service} & wanted]
    unknown = sorted(i for i in wanted if not any(rules.selected(a, {i}) for a in alerts)
                     and not any(i in (e.name, e.service) for e in catalog.log_alerts))
    if unknown:
        out.diags.append(Diagnostic(UNKNOWN_ITEM, f"{', '.join(unknown)}: no service, SLO, rule group or alert of "
                                    "that name", config=True, hint="SERVICE, SERVICE/SLO, a group or an alert name"))
        return out
    report = out.report = Report(env_name, Span(start, end), current)
    clients = Clients(env)
    try:
        try:
            if chosen:
                _metric_alerts(clients, catalog, chosen, Expander(recordings), report, out, charts, wanted)
            if entries:
                _log_alerts(clients, catalog, entries, report, out)
        except LiveError as e:  # a server failed mid-run: one line at its entry, exit 2
            known = e.server in clients.env.servers
            out.diags.append(clients.fail(e.server, e) if known else replace(diagnostic_for(e, env.pos), config=True))
    finally:
        clients.close()
    return out


def _metric_alerts(clients: Clients, catalog, chosen, expander: Expander, report: Report, out: Outcome,
                   charts: bool, wanted: set[str]) -> None:
    if not clients.defined("prometheus"):
        out.diags.append(Diagnostic(NO_SERVER, f"environment {report.env!r} has no prometheus: {len(chosen)} metric "
                                    "alerts not replayed", clients.env.pos, Severity.WARNING))
        return
    if not clients.online("prometheus"):
        out.diags.append(clients.status("prometheus").problem)
        return
    prom = clients.client("prometheus", Prometheus)
    span = _within_retention(prom, report, out, clients)
    coverage = metrics.Coverage(prom, seconds(catalog.defaults.prometheus.scrapeInterval or "1m"))
    for alert in chosen:
        pos = alert.origin.pos if alert.origin else None
        try:
            run = metrics.run_alert(prom, expander, alert, span)
            selectors = expander.raw_selectors(alert.expr)
        except ExpandError as e:
            out.diags.append(Diagnostic(QUERY_FAILED, f"alert {alert.name}: {e}", pos, Severity.WARNING))
            continue
        report.runs.append(run)
        if run.error:
            out.diags.append(Diagnostic(QUERY_FAILED, f"alert {alert.name}: Prometheus refused the expression: "
                                        f"{run.error}", pos, Severity.WARNING))
            continue
        for sel in selectors:
            run.gaps += coverage.gaps(sel, span, alert.interval)
        _report_gaps(run, report, out, pos)
    for entry in catalog.slos:
        if wanted and not ({entry.service, f"{entry.service}/{entry.name}"} & wanted
                           or any(a.slo is entry for a in chosen)):
            continue
        summary = slos.summarise(prom, catalog, expander, entry, span, charts)
        if summary is not None:
            report.slos.append(summary)


def _within_retention(prom: Prometheus, report: Report, out: Outcome, clients: Clients) -> Span:
    """The range, cut to what the server keeps: retention counts back from its newest data, which a
    live server has at `now`."""
    flag = prom.flags().get("storage.tsdb.retention.time", "")
    try:
        keep = seconds(flag) if flag and flag != "0s" else None
    except ValueError:
        keep = None
    span = report.span
    if keep is None or report.now - keep <= span.start:
        return span
    first = report.now - keep
    message = (f"prometheus keeps {format_seconds(keep)} of data: the range before {rfc3339(first)} is not "
               "evaluated")
    report.limits.append({"kind": "retention", "server": "prometheus", "start": rfc3339(span.start),
                          "end": rfc3339(first), "message": message})
    out.diags.append(Diagnostic(RETENTION, message, clients.endpoint("prometheus").pos, Severity.WARNING))
    return Span(first, span.end)


def _report_gaps(run, report: Report, out: Outcome, pos) -> None:
    name = run.alert.name
    for gap in run.gaps:
        report.limits.append({"kind": "absent" if gap.absent else "no-data", "alert": name, "selector": gap.selector,
                              "start": rfc3339(gap.start), "end": rfc3339(gap.end),
                              "message": "no series over the range" if gap.absent else "no samples"})
    absent = sorted({g.selector for g in run.gaps if g.absent})
    for sel in absent:
        out.diags.append(Diagnostic(ABSENT, f"alert {name}: {sel} matched no series from "
                                    f"{rfc3339(report.span.start)} to {rfc3339(report.span.end)}", pos,
                                    Severity.WARNING, hint="a renamed metric or label reads as no data, never as 0"))
    partial = [g for g in run.gaps if not g.absent]
    if partial:
        total = sum(g.end - g.start for g in partial)
        out.diags.append(Diagnostic(NO_DATA, f"alert {name}: {len(partial)} stretches without samples "
                                    f"({format_seconds(total)} in all, first at {rfc3339(partial[0].start)})", pos,
                                    Severity.WARNING, hint="the report's `limits` lists them"))


def _log_alerts(clients: Clients, catalog, entries, report: Report, out: Outcome) -> None:
    schedule = logbt.schedule_of(catalog)
    for entry in entries:
        pos = entry.origin.pos if entry.origin else None
        why = logbt.why_not(entry)
        if why is not None:
            out.diags.append(Diagnostic(NOT_REPLAYED, f"log alert {entry.name}: not replayed: {why}", pos,
                                        Severity.WARNING))
            continue
        server = _search_server(clients, entry)
        if server is None:
            out.diags.append(Diagnostic(NO_SERVER, f"log alert {entry.name}: environment {report.env!r} has no "
                                        "elasticsearch or opensearch: not replayed", pos, Severity.WARNING))
            continue
        if not clients.online(server):
            out.diags.append(clients.status(server).problem)
            continue
        client = clients.client(server, SearchClient)
        run = logbt.run_log_alert(client, entry, report.span, schedule, server)
        report.logs.append(run)
        if run.oldest is not None:
            message = f"log alert {entry.name}: {entry.index} holds no log line before {rfc3339(run.oldest)}"
            report.limits.append({"kind": "log-history", "alert": entry.name, "start": rfc3339(report.span.start),
                                  "end": rfc3339(run.oldest), "message": message})
            out.diags.append(Diagnostic(LOG_HISTORY, message, pos, Severity.WARNING))


def _search_server(clients: Clients, entry) -> str | None:
    order = ("opensearch", "elasticsearch") if "opensearch-monitor" in entry.targets else \
        ("elasticsearch", "opensearch")
    return next((s for s in order if clients.defined(s)), None)




def run(project_dir: Path | None, env_name: str, since: str, until: str | None, items: list[str] | None,
        now: str | None, fmt: str, output: Path | None, html: Path | None, fail_on: str | None) -> int:
    """The command: check the options, replay, print the report (stdout or --output), diagnostics
    on stderr; 2 on configuration problems and unreachable servers (the report of the servers
    that answered is still printed), 1 with --fail-on when such an alert fired, else 0."""
    import sys

    from obs.backtest import FAIL_ON, SEVERITIES
    from obs.backtest.render import FORMATS
    from obs.commands.common import emit
    from obs.writer import atomic_write
    if fmt not in FORMATS or (fail_on is not None and fail_on not in SEVERITIES):
        bad = f"--format {fmt!r}: use text, json or junit" if fmt not in FORMATS else \
            f"--fail-on {fail_on!r}: use {', '.join(SEVERITIES)}"
        return emit([Diagnostic(FAIL_ON, f"unknown {bad}", config=True)])
    outcome = backtest(project_dir, env_name, since, until, items, now, charts=html is not None)
    code = emit(outcome.diags, quiet_ok=True)
    if outcome.report is None:
        return code or 2
    rendered = FORMATS[fmt](outcome.report)
    if output is not None:
        atomic_write(output, rendered.encode("utf-8"))
    else:
        sys.stdout.write(rendered)
    if html is not None:
        from obs.backtest.html import page
        atomic_write(html, page(outcome.report).encode("utf-8"))
    if code == 2:  # a server could not be asked: what the others said is shown, but it is incomplete
        return 2
    if fail_on is not None and outcome.report.fired(fail_on):
        return 1
    return 0
