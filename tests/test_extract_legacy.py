"""Legacy Word and WPS files that the Word 97 reader does not take go through an installed
converter, or end as unsupported_format with the reasons. The converters are stood in for by
small scripts on PATH, so the tests check the wiring (arguments, output, timeout) on any
machine; the stand-in file is a compound file too broken for the direct reader."""

from __future__ import annotations

import os
import shutil
import stat
import time
from pathlib import Path

import pytest

from scrapers.extract.dispatch import extract_document
from scrapers.extract.legacy import extract_legacy

# resolved before the tests narrow PATH
SLEEP = shutil.which("sleep")
CP = shutil.which("cp")
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1016 + "WordDocument".encode("utf-16-le") + b"\0" * 500


def _direct(problems: list[str], what: str = "legacy Word .doc") -> list[str]:
    """The reasons after the direct reader's, which must come first."""
    assert problems[0].startswith(f"{what}: not a Word 97–2003 file this reader takes (broken compound file")
    return problems[1:]


def _tool(folder: Path, name: str, script: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def bare_path(tmp_path, monkeypatch):
    """A PATH holding only the tools a test puts there."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    return folder


def test_doc_without_converter_is_unsupported(bare_path):
    result = extract_document(DOC, "report.doc")
    assert (result.format, result.status) == ("doc", "unsupported_format")
    assert _direct(result.problems) == ["legacy Word .doc: no converter installed (antiword or libreoffice)"]


def test_wps_without_converter_is_unsupported(bare_path):
    result = extract_document(DOC, "report.wps")
    assert (result.format, result.status) == ("wps", "unsupported_format")
    assert "Kingsoft WPS .wps: no converter installed" in _direct(result.problems, "Kingsoft WPS .wps")[0]


def test_spreadsheets_are_unsupported(bare_path):
    result = extract_legacy(b"", "xls")
    assert result.status == "unsupported_format" and "spreadsheets are not read" in result.problems[0]


def test_doc_through_antiword(bare_path):
    # antiword prints tables as "|"-separated lines
    _tool(bare_path, "antiword", 'printf "2019年政府信息公开工作年度报告\\n|规章|0|0|0|\\n"\n')
    result = extract_document(DOC, "report.doc")
    assert (result.format, result.status) == ("doc", None)
    assert [r.texts for r in result.rows] == [["2019年政府信息公开工作年度报告"], ["规章", "0", "0", "0"]]
    assert "antiword" in _direct(result.problems)[0]


def test_failing_converter_gives_its_reason(bare_path):
    _tool(bare_path, "antiword", 'echo "I can\'t find the name of your HOME" >&2\nexit 1\n')
    result = extract_document(DOC, "report.doc")
    assert result.status == "unsupported_format"
    assert _direct(result.problems) == ["antiword failed (exit 1): I can't find the name of your HOME"]


def test_hanging_converter_is_stopped(bare_path):
    _tool(bare_path, "antiword", f"{SLEEP} 30\n")
    started = time.perf_counter()
    result = extract_legacy(DOC, "doc", timeout=0.5)
    assert time.perf_counter() - started < 5
    assert result.status == "unsupported_format"
    assert _direct(result.problems) == ["antiword did not finish within 0.5 s"]


@pytest.mark.skipif(not os.access("/bin/sh", os.X_OK), reason="needs a POSIX shell")
def test_libreoffice_output_is_read_as_docx(bare_path, tmp_path):
    # a stand-in soffice that "converts" by copying a prepared .docx into --outdir
    import io

    from docx import Document

    document = Document()
    document.add_paragraph("2020年政府信息公开工作年度报告")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "行政许可"
    table.cell(0, 1).text = "550"
    prepared = tmp_path / "prepared.docx"
    out = io.BytesIO()
    document.save(out)
    prepared.write_bytes(out.getvalue())
    _tool(bare_path, "soffice", f'while [ "$1" != "--outdir" ]; do shift; done\n{CP} "{prepared}" "$2/report.docx"\n')
    result = extract_document(DOC, "report.wps")
    assert (result.format, result.status) == ("wps", None)
    assert [r.texts for r in result.rows] == [["2020年政府信息公开工作年度报告"], ["行政许可", "550"]]
    assert _direct(result.problems, "Kingsoft WPS .wps") == ["converted from Kingsoft WPS .wps by libreoffice"]
