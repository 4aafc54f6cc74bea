"""Progress bars: drawn on a terminal, silent in logs and pipes."""

import io
import sys
from pathlib import Path

import pytest

from scrapers.progress import Progress


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


def test_parsing_shows_its_count_and_formats_on_a_terminal(monkeypatch, tmp_path):
    from scrapers.load.documents import ingest_folder
    from scrapers.load.parses import IN_PROCESS, parse_pending

    seed = Path(__file__).parent / "fixtures" / "corpus" / "seed"
    db = tmp_path / "w.duckdb"
    ingest_folder(seed, db)
    err = _Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    summary = parse_pending(db, limits=IN_PROCESS)
    assert summary.parsed == 1
    assert "parsing" in err.getvalue() and "1 text" in err.getvalue()
