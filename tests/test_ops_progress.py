"""Progress bars: drawn on a terminal, silent in logs and pipes."""

import io
import sys

import pytest

from dagster_project.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("terminal", [True, False])
def test_progress_bars_on_a_terminal_only(monkeypatch, terminal):
    err = _Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    with Progress("dbt build", total=3, unit="nodes") as bar:
        for _ in range(3):
            bar.advance()
    assert ("dbt build" in err.getvalue()) is terminal
