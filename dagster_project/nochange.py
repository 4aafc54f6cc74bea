"""Nothing new, nothing started: whether `xxgk run --from DIR` would change the warehouse,
decided before Dagster is imported.

Starting Dagster costs seconds; a rerun with nothing new needs a walk, a few stats and a few
queries. Each question is asked of the code the full run itself runs, read-only, so the two
cannot disagree:

- the folder: would `archive_folder` write a file? (archive.local.folder_unchanged: size and
  mtime, then sha256 of the files whose size or mtime moved)
- the archive: does it hold a file the warehouse has not loaded? (load.archives.unloaded_files)
- the parses: has a document version no parse of this parser version, or a picture newer than its
  parse? (load.parses.pending_documents)
- the offices: would `match_offices` write or drop a match? (offices.offices_to_match)
- dbt: does what a build reads differ from the last successful build? (builds.up_to_date)

Any yes, or anything that cannot be answered, and the full run goes ahead as before.
"""

from __future__ import annotations

import contextlib
import logging
import time
from pathlib import Path

from dagster_project.summary import RunReport, mart_counts, violating_reports
from scrapers.archive.local import FolderSummary
from scrapers.settings import Settings

log = logging.getLogger("xxgk.nochange")


def would_change(settings: Settings, folder: str | Path) -> tuple[str | None, FolderSummary | None]:
    """(why the full run must go ahead, or None when it would change nothing; the folder's
    summary as `local_documents` would report it, when the folder is unchanged)."""
    reason, found = _outside_warehouse(settings, folder)
    if reason is None:
        from scrapers.load.warehouse import connect

        with contextlib.closing(connect(settings.db, read_only=True)) as con:
            reason = _inside_warehouse(con)
    return reason, found


def _outside_warehouse(settings: Settings, folder: str | Path) -> tuple[str | None, FolderSummary | None]:
    """The questions the folder and the archive answer, asked before the warehouse is opened
    (as in the full run, a new file is archived even while another process holds the file)."""
    from scrapers.archive.local import folder_unchanged
    from scrapers.archive.warc import OPEN_SUFFIX
    from scrapers.load.archives import unloaded_files

    if not settings.db.exists():
        return "no warehouse yet", None
    if settings.archive.is_dir() and any(settings.archive.glob("*" + OPEN_SUFFIX)):
        return "an archive file was left open (its run was killed, or one is writing it now)", None
    found = folder_unchanged(folder, settings.archive)
    if found is None:
        return "the folder holds new or changed files", None
    if unloaded := unloaded_files(settings.archive, settings.db):
        return f"{len(unloaded)} archive files are not loaded yet", found
    return None, found


def _inside_warehouse(con) -> str | None:
    """The questions the warehouse answers, on one read-only connection."""
    from dagster_project.builds import up_to_date_on
    from scrapers.load.parses import pending_documents
    from scrapers.offices import offices_to_match

    if pending := pending_documents(None, con=con):
        return f"{len(pending)} document versions have no current parse (none of this parser version, or a picture came after it)"
    if unmatched := offices_to_match(con):
        return f"{unmatched} office names would be matched again"
    if not up_to_date_on(con)[0]:
        return "what dbt reads changed since the last successful build"
    return None


def unchanged_run(settings: Settings, folder: str | Path) -> RunReport | None:
    """The report of a run that had nothing to do, or None when the full run must go ahead
    (the reason is logged at debug level). A warehouse held by another process past `--wait`
    is an error here as it would be in the full run."""
    from scrapers.load.warehouse import WarehouseBusy, connect

    started = time.time()
    try:
        reason, found = _outside_warehouse(settings, folder)
        if reason is None:
            with contextlib.closing(connect(settings.db, read_only=True)) as con:
                reason = _inside_warehouse(con)
                if reason is None:
                    report = RunReport(db=str(settings.db), documents=found.counts(), parses={"parsed": 0, "by_status": {}},
                                       up_to_date=True, marts=mart_counts(settings.db, con),
                                       violations=violating_reports(con))
    except WarehouseBusy:
        raise
    except Exception as exc:  # a question that cannot be answered here is answered by the full run
        reason = f"{type(exc).__name__}: {exc}"
    if reason is not None:
        log.debug("the full run goes ahead: %s", reason)
        return None
    for line in found.skipped:  # what the full run's walk would say
        log.warning("%s", line)
    report.seconds = time.time() - started
    return report
