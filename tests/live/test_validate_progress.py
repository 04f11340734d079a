"""The progress display is for a person at a terminal only: never in CI, a pipe or a file."""

from __future__ import annotations

import io

from obs.commands.validate import interactive, progress
from obs.live import LiveCheck


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_interactive_only_on_a_terminal_outside_ci(monkeypatch):
    for var in ("CI", "OBS_NO_PROGRESS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert interactive(Terminal()) and not interactive(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not interactive(Terminal())


def test_progress_draws_on_a_terminal_and_is_silent_otherwise():
    check = LiveCheck("LV010", "prometheus/series", "", ("prometheus",), lambda b, c: [])
    screen = Terminal()
    with progress(screen, True) as on_check:
        on_check(check, 0, 3)
    assert "prometheus/series" in screen.getvalue()
    with progress(io.StringIO(), False) as on_check:
        assert on_check is None
