"""Alert states over a sequence of evaluations, as Prometheus's rule manager keeps them: a label
set in the result is pending from its first evaluation, firing once it has been active for
`for:`, and inactive again at the first evaluation that does not return it (a gap in the data
resets a pending alert, and resolves a firing one); `keep_firing_for` holds a firing alert
that long after its condition stops."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

Labels = tuple[tuple[str, str], ...]


@dataclass
class Firing:
    alert: str
    labels: dict[str, str]
    start: float  # the evaluation at which it became firing
    end: float | None  # the first evaluation at which it no longer was; None: still firing at the end
    peak: float
    #: where it came from: "slo" for burn alerts, "alert", "rule", "log"
    kind: str = "alert"

    @property
    def severity(self) -> str:
        return self.labels.get("severity", "")


@dataclass
class _State:
    active_at: float
    firing_since: float | None = None
    peak: float = float("-inf")
    last_true: float | None = None


def firings(alert: str, evaluations: Iterable[tuple[float, dict[Labels, float]]], hold: float = 0.0,
            keep_firing_for: float = 0.0, static: dict[str, str] | None = None, kind: str = "alert") -> list[Firing]:
    """Firings from (time, {labels: value}) in time order, one entry per evaluation (an empty
    dict where the expression returned nothing or there was no data)."""
    states: dict[Labels, _State] = {}
    out: list[Firing] = []
    static = static or {}

    def close(key: Labels, st: _State, at: float | None) -> None:
        if st.firing_since is not None:
            out.append(Firing(alert, {**dict(key), **static, "alertname": alert}, st.firing_since, at, st.peak,
                              kind))

    for t, result in evaluations:
        for key, value in result.items():
            st = states.get(key)
            if st is None:
                st = states[key] = _State(active_at=t)
            st.last_true = t
            if st.firing_since is None and t - st.active_at >= hold:
                st.firing_since = t
            if st.firing_since is not None:
                st.peak = max(st.peak, value)
        for key in [k for k in states if k not in result]:
            st = states[key]
            if st.firing_since is not None and keep_firing_for and st.last_true is not None \
                    and t - st.last_true < keep_firing_for:
                continue
            close(key, st, t)
            del states[key]
    for key, st in states.items():
        close(key, st, None)
    return sorted(out, key=lambda f: (f.start, sorted(f.labels.items())))
