"""LogAlert (SPEC §1.5). The `when:` condition is parsed by obs.logs, where its grammar lives."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from obs.model.alerts import Severity
from obs.model.base import Annotations, Duration, Labels, Name, Spec, invalid

LogTarget = Literal["elastalert", "watcher", "opensearch-monitor"]


class LogAlert(Spec):
    name: Name
    index: str | None = None
    query: str | None = None
    filter: dict[str, Any] | list[dict[str, Any]] | None = None
    when: str | dict[str, Any]
    groupBy: str | list[str] | None = None
    match: str | None = None
    timestampField: str | None = None
    severity: Severity
    summary: str
    description: str | None = None
    runbook: str | None = None
    realert: Duration | None = None
    notify: list[str] = Field(default_factory=list)
    targets: list[LogTarget] | None = None
    labels: Labels = Field(default_factory=dict)
    annotations: Annotations = Field(default_factory=dict)

    @model_validator(mode="after")
    def _query_or_filter(self) -> LogAlert:
        if self.query is not None and self.filter is not None:
            raise invalid("value", "give 'query' (Lucene) or 'filter' (query DSL), not both")
        return self

    @property
    def group_by(self) -> list[str]:
        if self.groupBy is None:
            return []
        return [self.groupBy] if isinstance(self.groupBy, str) else list(self.groupBy)
