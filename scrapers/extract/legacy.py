"""Legacy Word (.doc), Kingsoft WPS (.wps), RTF and spreadsheets: Word 97–2003 files read
directly (word97.py), the rest through an installed converter, or an honest
`unsupported_format`.

What word97.py does not take (Word 6/95, encrypted files, WPS's own format, RTF) goes to a
converter: LibreOffice converts to .docx (tables kept), antiword to plain text (tables as
"|"-separated lines). Either is used when found on PATH, in a throwaway directory and under a
timeout, since converters hang on hostile files.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from scrapers.extract.model import Extracted

CONVERT_TIMEOUT_SECONDS = 60

_NAMES = {
    "doc": "legacy Word .doc",
    "wps": "Kingsoft WPS .wps",
    "rtf": "RTF",
    "xls": "Excel .xls",
    "xlsx": "Excel .xlsx",
}


def extract_legacy(data: bytes, fmt: str, timeout: float = CONVERT_TIMEOUT_SECONDS) -> Extracted:
    """Text and tables of a .doc/.wps/.rtf: read directly when it is Word 97–2003, else through
    LibreOffice or antiword; spreadsheets are not read."""
    what = _NAMES.get(fmt, fmt)
    if fmt in ("xls", "xlsx"):
        return Extracted(
            format=fmt,
            status="unsupported_format",
            problems=[f"{what}: spreadsheets are not read (reports are published as pages, PDFs or Word files)"],
        )
    problems: list[str] = []
    if fmt in ("doc", "wps"):
        from scrapers.extract.word97 import Word97Error, extract_word97

        try:
            return extract_word97(data, fmt)
        except Word97Error as exc:
            problems.append(f"{what}: not a Word 97–2003 file this reader takes ({exc})")
    direct = len(problems)  # the converters' reasons come after the direct reader's
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office:
        result = _via_libreoffice(office, data, fmt, timeout)
        if result.status is None:
            result.problems[:0] = problems
            return result
        problems.extend(result.problems)
    antiword = shutil.which("antiword")
    if antiword and fmt in ("doc", "wps"):
        result = _via_antiword(antiword, data, fmt, timeout)
        if result.status is None:
            result.problems[:0] = problems
            return result
        problems.extend(result.problems)
    if not office and not (antiword and fmt in ("doc", "wps")):
        tools = "antiword or libreoffice" if fmt in ("doc", "wps") else "libreoffice"
        problems.append(f"{what}: no converter installed ({tools})")
    elif len(problems) == direct:
        problems.append(f"{what}: no installed converter reads this format")
    return Extracted(format=fmt, status="unsupported_format", problems=problems)


def _via_libreoffice(office: str, data: bytes, fmt: str, timeout: float) -> Extracted:
    from scrapers.extract.docx import extract_docx

    with tempfile.TemporaryDirectory(prefix="xxgk-convert-") as tmp:
        source = Path(tmp) / f"report.{fmt}"
        source.write_bytes(data)
        # a private profile: concurrent conversions otherwise fight over the user's profile lock
        profile = Path(tmp, "profile").as_uri()
        command = [office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "docx",
                   "--outdir", tmp, str(source)]
        failure = _run(command, timeout, "libreoffice")
        converted = Path(tmp) / "report.docx"
        if failure or not converted.exists():
            return Extracted(format=fmt, status="failed", problems=[failure or "libreoffice produced no .docx"])
        result = extract_docx(converted.read_bytes())
    result.format = fmt
    result.problems.insert(0, f"converted from {_NAMES.get(fmt, fmt)} by libreoffice")
    return result


def _via_antiword(antiword: str, data: bytes, fmt: str, timeout: float) -> Extracted:
    from scrapers.extract.text import extract_text

    with tempfile.TemporaryDirectory(prefix="xxgk-convert-") as tmp:
        source = Path(tmp) / f"report.{fmt}"
        source.write_bytes(data)
        output = Path(tmp) / "report.txt"
        # UTF-8 output, so that Chinese survives
        command = [antiword, "-m", "UTF-8.txt", "-w", "0", str(source)]
        failure = _run(command, timeout, "antiword", stdout_path=output)
        if failure:
            return Extracted(format=fmt, status="failed", problems=[failure])
        text = output.read_bytes()
    if not text.strip():
        return Extracted(format=fmt, status="failed", problems=["antiword found no text"])
    result = extract_text(text)
    result.format = fmt
    result.problems.insert(0, f"converted from {_NAMES.get(fmt, fmt)} by antiword: text only, tables as '|' lines")
    return result


def _run(command: list[str], timeout: float, tool: str, stdout_path: Path | None = None) -> str | None:
    """Run a converter in its own process group; the reason it failed, or None.

    On timeout the whole group is killed: soffice forks a worker that outlives its launcher.
    """
    stdout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env={**os.environ, "HOME": os.path.dirname(command[-1])},
        )
    except OSError as exc:
        if stdout_path:
            stdout.close()
        return f"{tool} could not run: {exc}"
    try:
        _out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.communicate()
        return f"{tool} did not finish within {timeout:g} s"
    finally:
        if stdout_path:
            stdout.close()
    if process.returncode != 0:
        detail = err.decode("utf-8", "replace").strip().splitlines()
        return f"{tool} failed (exit {process.returncode}){': ' + detail[-1] if detail else ''}"
    return None
