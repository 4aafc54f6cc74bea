"""Progress bars for long work, on a terminal only.

`rich` draws them on stderr when stderr is a terminal; anywhere else (CI, the Dagster daemon,
a pipe) they draw nothing and the steps' own log lines tell the story, so logs stay lines.
"""

from __future__ import annotations

import sys
from types import TracebackType


def interactive() -> bool:
    """Whether bars may be drawn: only when stderr is a terminal."""
    return sys.stderr.isatty()


class Progress:
    """One bar: `with Progress("parsing", total=n) as bar: ... bar.advance(); bar.note(url)`."""

    def __init__(self, description: str, total: int | None = None, unit: str = ""):
        self.description, self.total, self.unit = description, total, unit
        self._bar = None
        self._task = None

    def __enter__(self) -> Progress:
        if interactive():
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RichProgress, TaskProgressColumn,
                                       TextColumn, TimeElapsedColumn)

            # work of unknown size (a crawl) shows its count and its rate instead of a fraction
            counted = MofNCompleteColumn() if self.total is not None else TaskProgressColumn(show_speed=True)
            self._bar = RichProgress(
                TextColumn("{task.description}"), BarColumn(), counted, TextColumn(self.unit),
                TimeElapsedColumn(), TextColumn("{task.fields[note]}"),
                console=Console(stderr=True), transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=self.total, note="")
        return self

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n)

    def grow(self, n: int) -> None:
        """More work found while working (a crawl's pages): the total moves with it."""
        if self._bar is not None and self.total is not None:
            self.total += n
            self._bar.update(self._task, total=self.total)

    def note(self, text: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, note=text[-60:])

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()
