"""`obs backtest`: every compiled alert replayed over an environment's history — metric alerts
over Prometheus (obs.backtest.metrics), log alerts over Elasticsearch/OpenSearch
(obs.backtest.logs) — with the limits of that history (retention, gaps, absent series) reported,
never read as zero. The stages are pure where they can be; only the clients of obs/live talk."""

from __future__ import annotations

from dataclasses import dataclass, field

from obs import codes
from obs.backtest.logs import LogRun
from obs.backtest.metrics import AlertRun, Span
from obs.backtest.slos import SLOSummary
from obs.backtest.states import Firing

RANGE = codes.define("BT001", "backtest/range", "--since, --until or --now is not a duration or an RFC 3339 time, "
                     "or the range is empty.")
UNKNOWN_ITEM = codes.define("BT002", "backtest/unknown-item", "An ITEM names no service, SLO, rule group or alert.")
RETENTION = codes.define("BT003", "backtest/retention", "Part of the range is older than the server keeps data: it "
                         "is not evaluated.")
ABSENT = codes.define("BT004", "backtest/absent-series", "A selector an alert reads matched no series over the range "
                      "(renamed, relabelled or gone?): the alert could not have fired from it.")
NO_DATA = codes.define("BT005", "backtest/no-data", "A selector an alert reads has stretches without samples "
                       "(scrape gaps): the alert is blind there.")
QUERY_FAILED = codes.define("BT006", "backtest/query-failed", "Prometheus refused an alert's expression as backtest "
                            "asks it (recordings written in).")
NOT_REPLAYED = codes.define("BT007", "backtest/not-replayed", "A log alert backtest cannot replay (ElastAlert-only "
                            "types, new-value conditions).")
NO_SERVER = codes.define("BT008", "backtest/no-server", "The environment defines no server for some alerts: they are "
                         "not replayed.")
LOG_HISTORY = codes.define("BT009", "backtest/log-history", "An index holds no log lines before some instant of the "
                           "range (its retention).")
FAIL_ON = codes.define("BT010", "backtest/fail-on", "--fail-on or --format is not one backtest knows.")
#: severities from the most severe, for --fail-on
SEVERITIES = ("critical", "warning", "info")


@dataclass
class Report:
    env: str
    span: Span
    now: float
    runs: list[AlertRun] = field(default_factory=list)
    logs: list[LogRun] = field(default_factory=list)
    slos: list[SLOSummary] = field(default_factory=list)
    #: what the history could not say: {"kind", "message", "start", "end", "alert"?, "selector"?}
    limits: list[dict] = field(default_factory=list)

    @property
    def firings(self) -> list[Firing]:
        found = [f for r in self.runs for f in r.firings] + [f for r in self.logs for f in r.firings]
        return sorted(found, key=lambda f: (f.start, f.alert, sorted(f.labels.items())))

    def fired(self, severity: str) -> bool:
        """Whether an alert of this severity or a more severe one would have fired."""
        worst = SEVERITIES[:SEVERITIES.index(severity) + 1]
        return any(f.severity in worst for f in self.firings)
