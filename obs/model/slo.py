"""SLO (SPEC §1.3): objective, window, SLI (ratio, latency or raw) and alerting."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator, model_validator

from obs import durations
from obs.model.base import Annotations, Duration, LabelName, Labels, Name, Spec, invalid

#: below this an objective is almost surely a ratio (0.999) written where a percentage goes
MIN_OBJECTIVE = 50


class RatioSLI(Spec):
    """error ratio = errors / total, or 1 - good / total; selectors in, obs writes the aggregation."""

    errors: str | None = None
    good: str | None = None
    total: str
    groupBy: list[LabelName] = Field(default_factory=list)

    @model_validator(mode="after")
    def _errors_or_good(self) -> RatioSLI:
        if (self.errors is None) == (self.good is None):
            raise invalid("value", "give exactly one of 'errors' and 'good' beside 'total'")
        return self


class LatencySLI(Spec):
    """Requests slower than `threshold` are errors; the threshold must be an `le` bound."""

    histogram: str
    threshold: str
    groupBy: list[LabelName] = Field(default_factory=list)

    @field_validator("threshold", mode="before")
    @classmethod
    def _threshold(cls, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            return value  # the type error says what is wrong
        if not isinstance(value, str):  # a bare 500 was read as 500 seconds: an SLO that never burns
            raise invalid("duration", f"{value:g} has no unit; obs does not guess between seconds and "
                                      "milliseconds", hint=unit_hint(value))
        try:
            length = durations.threshold_seconds(value)
        except ValueError as e:
            raise invalid("duration", str(e)) from None
        if length <= 0:
            raise invalid("range", "threshold must be longer than 0")
        return value


def unit_hint(value: float) -> str:
    """500 → "write 500ms (0.5s)"; 0.5 → "write 0.5s (500ms)": milliseconds for numbers of 10 or more."""
    ms, s = (Decimal(str(value)), Decimal(str(value)) / 1000) if value >= 10 else \
        (Decimal(str(value)) * 1000, Decimal(str(value)))
    text_ms, text_s = f"{ms.normalize():f}ms", f"{s.normalize():f}s"
    first, second = (text_ms, text_s) if value >= 10 else (text_s, text_ms)
    return f"write the unit: {first} ({second})"


class RawSLI(Spec):
    """Any PromQL giving the error ratio over `$window`."""

    errorRatio: str
    groupBy: list[LabelName] = Field(default_factory=list)

    @field_validator("errorRatio")
    @classmethod
    def _has_window(cls, value: str) -> str:
        if "$window" not in value and "{{.window}}" not in value:
            raise invalid("value", "errorRatio must use $window where the range goes, e.g. rate(x[$window])")
        return value


class SLI(Spec):
    ratio: RatioSLI | None = None
    latency: LatencySLI | None = None
    raw: RawSLI | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> SLI:
        given = [k for k in ("ratio", "latency", "raw") if getattr(self, k) is not None]
        if len(given) != 1:
            raise invalid("value", "an SLI is exactly one of 'ratio', 'latency' or 'raw'"
                             + (f" (got {', '.join(given)})" if given else ""))
        return self

    @property
    def kind(self) -> str:
        return "ratio" if self.ratio else "latency" if self.latency else "raw"

    @property
    def group_by(self) -> list[str]:
        body = self.ratio or self.latency or self.raw
        return list(body.groupBy) if body else []


class Tier(Spec):
    enabled: bool = True
    labels: Labels = Field(default_factory=dict)
    annotations: Annotations = Field(default_factory=dict)


class AbsentAlert(Spec):
    for_: Duration = Field("10m", alias="for")
    enabled: bool = True


class SLOAlerting(Spec):
    name: str | None = None
    page: Tier = Field(default_factory=Tier)
    ticket: Tier = Field(default_factory=Tier)
    absent: AbsentAlert | None = None
    notify: list[str] = Field(default_factory=list)
    runbook: str | None = None
    labels: Labels = Field(default_factory=dict)
    annotations: Annotations = Field(default_factory=dict)


class SLO(Spec):
    name: Name
    description: str | None = None
    objective: float
    window: Duration | None = None
    sli: SLI
    alerting: SLOAlerting = Field(default_factory=SLOAlerting)
    labels: Labels = Field(default_factory=dict)
    #: environments whose Prometheus has this SLO's series; elsewhere `obs validate` reports their absence as info
    expectedIn: list[str] = Field(default_factory=list)

    @field_validator("objective", mode="before")
    @classmethod
    def _objective(cls, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise invalid("type", f"objective must be a number of percent such as 99.9 (got {value!r})")
        if not 0 < value < 100:
            raise invalid("range", f"objective is a percentage between 0 and 100, exclusive (got {value})")
        if value < MIN_OBJECTIVE:
            raise invalid("range", f"objective {value:g} means {value:g}% of events good (an error budget of "
                                   f"{Decimal(100) - Decimal(str(value)):f}%); objectives below {MIN_OBJECTIVE} are "
                                   "refused as mistakes", hint=percent_hint(value))
        return value


def percent_hint(value: float) -> str:
    """0.999 → "did you mean 99.9?" (a ratio, as OpenSLO writes it); else what an objective looks like."""
    if value < 1:
        return f"did you mean {(Decimal(str(value)) * 100).normalize():f}? (an objective is a percentage, not a ratio)"
    return "an objective is the percentage of good events, such as 99.9 or 99.5"


class BurnWindow(Spec):
    """One alert of the multiwindow, multi-burn-rate policy, for a 30d reference period."""

    tier: Literal["page", "ticket"]
    long: Duration
    short: Duration
    factor: float | None = None
    budget: float | None = Field(None, description="percent of the period's budget spent when it fires")

    @model_validator(mode="after")
    def _factor_or_budget(self) -> BurnWindow:
        if (self.factor is None) == (self.budget is None):
            raise invalid("value", "give exactly one of 'factor' and 'budget' (percent of budget spent)")
        return self
