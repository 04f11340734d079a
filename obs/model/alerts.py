"""AlertRule (SPEC §1.4) and native Prometheus rule groups (`kind: RuleGroup`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from obs.model.base import AlertName, Annotations, AnyAlertName, Duration, Labels, MetricName, Spec, invalid

Severity = Literal["critical", "warning", "info"]


class AlertRule(Spec):
    name: AlertName
    expr: str
    for_: Duration | None = Field(None, alias="for")
    keepFiringFor: Duration | None = None
    severity: Severity
    summary: str
    description: str | None = None
    runbook: str | None = None
    notify: list[str] = Field(default_factory=list)
    labels: Labels = Field(default_factory=dict)
    annotations: Annotations = Field(default_factory=dict)
    #: environments whose Prometheus has the series it reads; elsewhere `obs validate` reports their absence as info
    expectedIn: list[str] = Field(default_factory=list)


class NativeRule(Spec):
    """A rule exactly as Prometheus writes it."""

    record: MetricName | None = None
    #: any text, as Prometheus takes it (awesome-prometheus-alerts writes `Foo(criteo)`); SC015 warns
    alert: AnyAlertName | None = None
    expr: str
    for_: Duration | None = Field(None, alias="for")
    keep_firing_for: Duration | None = None
    labels: Labels = Field(default_factory=dict)
    annotations: Annotations = Field(default_factory=dict)

    @model_validator(mode="after")
    def _record_or_alert(self) -> NativeRule:
        if (self.record is None) == (self.alert is None):
            raise invalid("value", "a rule has exactly one of 'record' and 'alert'")
        if self.record is not None and (self.for_ or self.annotations or self.keep_firing_for):
            raise invalid("value", "a recording rule takes no 'for', 'keep_firing_for' or 'annotations'")
        return self

    @property
    def name(self) -> str:
        return self.alert or self.record or ""


class RuleGroupSpec(Spec):
    interval: Duration | None = None
    limit: int | None = Field(None, ge=0)
    query_offset: Duration | None = None
    rules: list[NativeRule]
