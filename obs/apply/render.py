"""How a plan and an apply read: the plan as plain text (stable, greppable, the same in CI and on a
terminal), readable unified diffs with `-v`, live progress on a terminal, a summary table at the
end. Text passes through the caller's scrub, so no filled secret value is ever printed."""

from __future__ import annotations

import difflib
import io
import sys
from collections.abc import Callable

from obs.apply import SIGNS, Change, Plan
from obs.apply.executor import Outcome

VERBS = {"create": "to create", "update": "to update", "delete": "to delete", "orphan": "would prune",
         "conflict": "in conflict"}


def unified(change: Change) -> str:
    before = (change.before or "").splitlines(keepends=True)
    after = (change.after or "").splitlines(keepends=True)
    left = f"{change.target}/{change.key} (now)" if change.before is not None else "(nothing there yet)"
    right = change.origin or f"{change.target}/{change.key} (removed)"
    lines = list(difflib.unified_diff(before, after, left, right, n=3))
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def plan_text(plan: Plan, project: str, verbose: bool = False, pruning_hint: bool = True) -> str:
    out = [f"Plan for environment {plan.env!r} (project {project}):", ""]
    skipped = []
    for t in plan.targets:
        if t.skipped is not None:
            skipped.append(f"{t.target} ({t.skipped})")
            continue
        head = f"{t.target} → {t.where}" if t.where else t.target
        listed = [c for c in t.changes if c.action != "unchanged"]
        same = t.count("unchanged")
        notes = [f"  note: {n}" for n in t.notes]
        if not listed:
            out.append(f"{head}: no changes" + (f" ({same} up to date)" if same else ""))
            out.extend(notes)
            continue
        out.append(head)
        width = max(len(c.key) for c in listed)
        for c in listed:
            where = f"  ({c.origin})" if c.origin and c.action == "create" else ""
            out.append(f"  {SIGNS[c.action]} {c.key:<{width}}  {c.reason}{where}")
            if verbose and c.action != "orphan":
                out.extend("      " + line for line in unified(c).splitlines())
        if same:
            out.append(f"  = {same} up to date")
        out.extend(notes)
    if skipped:
        out.append("")
        out.append("not planned here: " + "; ".join(skipped))
    out.append("")
    counts = [f"{plan.count(a)} {verb}" for a, verb in VERBS.items() if plan.count(a) or a != "conflict"]
    out.append("Plan: " + ", ".join(counts) + ".")
    if plan.count("orphan") and pruning_hint:
        out.append(f"Objects marked ? are this project's and no longer in {plan.source}: `--prune` deletes them.")
    if plan.empty and not plan.conflicts:
        out.append(f"No changes: the environment matches {plan.source}.")
    return "\n".join(out) + "\n"


def summary(outcome: Outcome, color: bool) -> str:
    """The closing table: per target, what happened and what was (not) done."""
    from rich.console import Console
    from rich.table import Table
    table = Table(title="obs apply", show_lines=False)
    for col in ("target", "result", "created", "updated", "deleted", "not done", "notes"):
        table.add_column(col, justify="right" if col in ("created", "updated", "deleted", "not done") else "left")
    for r in outcome.results:
        n = {a: sum(1 for c in r.done if c.action == a) for a in ("create", "update", "delete")}
        table.add_row(r.target, r.status, str(n["create"]), str(n["update"]), str(n["delete"]), str(len(r.not_done)),
                      "; ".join(r.notes))
    buf = io.StringIO()
    Console(file=buf, force_terminal=color, no_color=not color, width=120).print(table)
    lines = [buf.getvalue()]
    for r in outcome.results:
        if r.not_done and r.status in ("failed", "rolled back", "not attempted"):
            lines.append(f"{r.target}: not applied: " + ", ".join(f"{SIGNS[c.action]}{c.key}" for c in r.not_done))
        if r.done and r.status == "failed":
            lines.append(f"{r.target}: applied before it failed: " + ", ".join(f"{SIGNS[c.action]}{c.key}"
                                                                            for c in r.done))
    return "\n".join(x.rstrip("\n") for x in lines if x) + "\n"


class Progress:
    """Progress on stderr: a rich status line on a terminal, one plain line per step otherwise."""

    def __init__(self, scrub: Callable[[str], str], stream=None) -> None:
        self.scrub, self.stream = scrub, stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._status = None
        if self.tty:
            from rich.console import Console
            self._console = Console(file=self.stream)
            self._status = self._console.status("applying")
            self._status.start()

    def __call__(self, target: str, change: Change | None, status: str) -> None:
        text = self.scrub(f"{target}: {status}" if change is None else
                          f"{target}: {SIGNS[change.action]} {change.key} {status}")
        if self._status is not None:
            self._status.update(text)
            if change is None and status not in ("checking", "applying"):
                self._console.print(text)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def close(self) -> None:
        if self._status is not None:
            self._status.stop()
