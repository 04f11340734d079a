"""Every rule expression as an instant query, many per request: `count()` of each, told apart by
a label, joined with `or`. When a combined query fails or warns, it is split in halves until
the expression at fault stands alone (and is then sent exactly as written, so the server's
message is about it). Only the server's refusals (4xx) and warnings split a batch; a 5xx or a
dead server stops the check, so a broken server never sees a storm of retried halves.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from obs.live.prometheus import Prometheus, QueryError

#: expressions per combined query
EVAL_BATCH = 32
#: the label telling the parts of a combined query apart
PART = "obs_expr"


@dataclass(frozen=True)
class Outcome:
    error: QueryError | None = None
    warnings: tuple[str, ...] = ()


def combined(exprs: list[tuple[str, bool]]) -> str:
    """One query evaluating every (expression, is_scalar); each part keeps its own label value."""
    parts = []
    for i, (text, scalar) in enumerate(exprs):
        inner = f"vector({text})" if scalar else f"({text})"
        parts.append(f'label_replace(count({inner}), "{PART}", "{i}", "", "")')
    return " or ".join(parts)


def evaluate(prom: Prometheus, exprs: list[tuple[str, bool]], at: float,
             batch: int = EVAL_BATCH) -> dict[str, Outcome]:
    """expression → what evaluating it at `at` gave (errors, warnings); each asked once."""
    unique = list(dict.fromkeys(exprs))
    chunks = [unique[i:i + batch] for i in range(0, len(unique), batch)]
    out: dict[str, Outcome] = {}

    def run(chunk: list[tuple[str, bool]]) -> dict[str, Outcome]:
        return _bisect(prom, chunk, at)

    workers = max(1, min(len(chunks), prom.session.policy.concurrency))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for result in pool.map(run, chunks):
            out.update(result)
    return out


def _bisect(prom: Prometheus, chunk: list[tuple[str, bool]], at: float) -> dict[str, Outcome]:
    if len(chunk) == 1:
        text = chunk[0][0]
        try:
            r = prom.query(text, at)
        except QueryError as e:
            return {text: Outcome(e)}
        return {text: Outcome(None, tuple(r.warnings))}
    try:
        r = prom.query(combined(chunk), at)
        if not r.warnings:
            return {text: Outcome() for text, _ in chunk}
    except QueryError:
        pass
    half = len(chunk) // 2
    return {**_bisect(prom, chunk[:half], at), **_bisect(prom, chunk[half:], at)}
