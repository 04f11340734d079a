"""Synthetic input series for an SLI: label sets that match its selectors the way real series
would (an error series that the total also counts, a good series that it does not), and the
counter increments that give a chosen error ratio."""

from __future__ import annotations

import re
from dataclasses import dataclass
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as sre  # type: ignore[attr-defined]

from obs.catalog import SLOEntry
from obs.rulegen import selector as sel
from obs.rulegen.slo import le_matcher

CANDIDATES = ("ok", "200", "x", "GET", "0", "none", "a", "b", "/b", "2", "other")


@dataclass(frozen=True)
class Series:
    """One synthetic series: each step it grows by `errors` × error events + `good` × good events."""

    metric: str
    labels: dict[str, str]
    errors: float
    good: float

    def selector(self) -> str:
        inner = ", ".join(f'{k}="{v}"' for k, v in sorted(self.labels.items()) if v != "")
        return f"{self.metric}{{{inner}}}"


def example(pattern: str) -> str:
    """A short string that a Prometheus (anchored) regular expression matches."""
    try:
        text = _walk(sre.parse(pattern))
        if re.fullmatch(pattern, text):
            return text
    except (re.error, ValueError, KeyError, IndexError, TypeError):
        pass
    for c in CANDIDATES + ("",):
        if re.fullmatch(pattern, c):
            return c
    raise ValueError(f"cannot find a value matching {pattern!r}")


def _walk(parsed) -> str:
    out = []
    for op, arg in parsed:
        if op is C.LITERAL:
            out.append(chr(arg))
        elif op is C.ANY:
            out.append("0")
        elif op is C.IN:
            out.append(_first_in(arg))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            low, _high, sub = arg
            out.append(_walk(sub) * max(low, 0))
        elif op is C.BRANCH:
            out.append(_walk(arg[1][0]))
        elif op is C.SUBPATTERN:
            out.append(_walk(arg[-1]))
        elif op is C.AT:
            continue
        else:
            raise ValueError(op)
    return "".join(out)


def _first_in(items) -> str:
    if items and items[0][0] is C.NEGATE:
        return next(c for c in "xz0_" if not any(o is C.LITERAL and chr(a) == c for o, a in items[1:]))
    op, arg = items[0]
    if op is C.LITERAL:
        return chr(arg)
    if op is C.RANGE:
        return chr(arg[0])
    if op is C.CATEGORY:
        return {C.CATEGORY_DIGIT: "0", C.CATEGORY_WORD: "a", C.CATEGORY_SPACE: " "}.get(arg, "a")
    raise ValueError(op)


def labels_for(selector: sel.Selector) -> dict[str, str]:
    """A label set the selector matches."""
    out: dict[str, str] = {}
    for name in dict.fromkeys(m.name for m in selector.matchers):
        ms = [m for m in selector.matchers if m.name == name]
        out[name] = _value(ms)
    return out


def _value(ms: list[sel.Matcher], avoid: sel.Matcher | None = None) -> str:
    options = [m.value for m in ms if m.op == "="] + [example(m.value) for m in ms if m.op == "=~"]
    if avoid is not None and avoid.op in ("!=", "!~"):  # to fall outside a negative matcher, match it
        options.append(avoid.value if avoid.op == "!=" else example(avoid.value))
    for value in (*options, *CANDIDATES, ""):
        if all(m.matches(value) for m in ms) and (avoid is None or not avoid.matches(value)):
            return value
    raise ValueError("no value satisfies " + ", ".join(map(str, ms)))


def outside(base: sel.Selector, inside: dict[str, str], other: sel.Selector) -> dict[str, str] | None:
    """A change of `inside` (a label set `base` matches) that `base` still matches but `other` does not."""
    for m in other.matchers:
        try:
            value = _value([b for b in base.matchers if b.name == m.name], avoid=m)
        except ValueError:
            continue
        candidate = {**inside, m.name: value}
        if base.matches(base.metric, candidate) and not other.matches(base.metric, candidate):
            return candidate
    return None


def sli_series(entry: SLOEntry, group: dict[str, str]) -> list[Series]:
    """Series for one group (groupBy label values) whose errors and good events the rules count."""
    sli = entry.spec.sli
    if sli.kind == "latency":
        hist = sel.parse(sli.latency.histogram)
        le = le_matcher(hist.metric, sli.latency.threshold)
        fast = le.value.split("|")[0]
        labels = {**labels_for(hist), **group}
        return [Series(hist.metric, {**labels, "le": fast}, 0, 1), Series(hist.metric, {**labels, "le": "+Inf"}, 1, 1)]
    if sli.kind != "ratio":
        raise ValueError("raw SLIs are arbitrary PromQL: obs cannot synthesise their series")
    ratio = sli.ratio
    total = sel.parse(ratio.total)
    part = sel.parse(ratio.errors if ratio.errors is not None else ratio.good)
    a = {**labels_for(part), **group}
    if not part.matches(part.metric, a):
        raise ValueError("the groupBy values do not match the selector")
    # errors form: a counts errors; good form: a counts good events
    a_err, a_good = (1.0, 0.0) if ratio.errors is not None else (0.0, 1.0)
    if total.matches(part.metric, a):
        b = outside(total, {**labels_for(total), **group}, part) if part.metric == total.metric else \
            {**labels_for(total), **group}
        if b is None or not total.matches(total.metric, b) or part.matches(total.metric, b):
            raise ValueError("cannot find a series that the total counts but not the errors/good selector")
        return [Series(part.metric, a, a_err, a_good), Series(total.metric, b, 1 - a_err, 1 - a_good)]
    b = {**labels_for(total), **group}
    if part.matches(total.metric, b) and total.metric == part.metric:
        raise ValueError("cannot separate the selectors' series")
    return [Series(part.metric, a, a_err, a_good), Series(total.metric, b, 1, 1)]


def group_values(entry: SLOEntry) -> list[dict[str, str]]:
    """Two groups (burning, healthy) for groupBy SLOs, else one with no labels."""
    by = entry.spec.sli.group_by
    if not by:
        return [{}]
    sli = entry.spec.sli
    texts = [sli.latency.histogram] if sli.kind == "latency" else \
        [t for t in (sli.ratio.errors, sli.ratio.good, sli.ratio.total) if t]
    selectors = [sel.parse(t) for t in texts]
    groups: list[dict[str, str]] = [{}, {}]
    for label in by:
        ms = [m for s in selectors for m in s.matchers if m.name == label]
        first = _value(ms) if ms else "a"
        second = next((v for v in ("b", "/b", "2", first + "x", "other") if v != first
                       and all(m.matches(v) for m in ms)), None)
        groups[0][label] = first
        if second is None:
            return [groups[0]]
        groups[1][label] = second
    return groups
