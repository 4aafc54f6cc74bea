"""`xxgk parse` parses in the pipeline's isolated worker: a hostile file is a failed parse
with its reason, in one line, and the command itself survives it."""

from __future__ import annotations

import json

from dagster_project.cli import main
from scrapers.load import parses
from scrapers.load.parses import Limits
from test_isolation import line_grid, nested_forms_hidden


def test_a_file_that_exhausts_memory_fails_in_the_worker_not_the_command(tmp_path, monkeypatch, capsys):
    hostile = tmp_path / "hidden-forms.pdf"
    # pdfium expands 16 million paths; only the worker's address-space limit stops it
    hostile.write_bytes(nested_forms_hidden(24, filters_unscanned=True))
    monkeypatch.setattr(parses, "LIMITS", Limits(memory_bytes=600 * 1024 * 1024))
    assert main(["parse", str(hostile), "--json"]) == 1
    out, err = capsys.readouterr()
    parse = json.loads(out)
    reason = ("isolated parse failed: worker killed by signal 6 (SIGABRT: a library aborted, typically out of memory "
              "under the 600 MiB limit)")
    assert parse["status"] == "failed" and parse["problems"] == [reason]
    assert err.splitlines() == [f"xxgk parse: {hostile}: failed: {reason}"]


def test_a_slow_file_is_stopped_at_the_cpu_limit(tmp_path, monkeypatch, capsys):
    slow = tmp_path / "grid.pdf"
    slow.write_bytes(line_grid(140, pages=40))  # about 8 s of CPU, every page under the caps
    monkeypatch.setattr(parses, "LIMITS", Limits(cpu_seconds=1, ocr_seconds=0))
    assert main(["parse", str(slow)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"xxgk parse: {slow}: failed: isolated parse failed: worker killed by signal 24 (SIGXCPU: over the 1 s CPU-time limit)"]
