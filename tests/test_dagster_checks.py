"""The asset checks on parsed_reports, on real reports loaded into a temporary warehouse: a
report whose printed totals disagree is a warning naming it; a document the pipeline failed
to parse is an error."""

import shutil
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.checks import every_document_parsed, reports_satisfy_identities
from dagster_project.resources import Warehouse
from scrapers.load.documents import ingest_folder
from scrapers.load.parses import IN_PROCESS, parse_pending
from scrapers.parse.report import parse_file

FIXTURES = Path(__file__).parent / "fixtures"
# 洪泽区 2023 prints 行政复议 totals of 0 over results that sum to 11 (its gold note); 2024 and
# the 香河园 seed report add up
REPORTS = [
    FIXTURES / "corpus" / "docs" / "jiangsu-hongze-district-gov-2023.pdfplumber.txt",
    FIXTURES / "corpus" / "docs" / "jiangsu-hongze-district-gov-2024.pdfplumber.txt",
    FIXTURES / "reports" / "beijing-chaoyang-xiangheyuan-2019.txt",
]


@pytest.fixture()
def folder(tmp_path):
    target = tmp_path / "reports"
    target.mkdir()
    for path in REPORTS:
        shutil.copy(path, target)
    return target


def test_identity_violations_are_a_warning_that_names_the_reports(folder, tmp_path):
    db = tmp_path / "x.duckdb"
    ingest_folder(folder, db)
    parse_pending(db)
    # what the parser itself finds in each report, the check must report as it is
    failing = {p.name: sorted(c.name for c in parse_file(p).checks if not c.passed) for p in sorted(folder.iterdir())}
    failing = {name: checks for name, checks in failing.items() if checks}
    assert list(failing) == ["jiangsu-hongze-district-gov-2023.pdfplumber.txt"]

    result = reports_satisfy_identities(warehouse=Warehouse(db_path=str(db)))

    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["reports_checked"].value == 3
    assert result.metadata["reports_violating"].value == 1
    assert result.metadata["by_district"].value == {"(local files)": {"reports": 3, "violating": 1}}
    table = result.metadata["violations"].value
    assert ", ".join(failing["jiangsu-hongze-district-gov-2023.pdfplumber.txt"]) in table
    assert "2023" in table and table.count("\n") == 2  # header, rule and one report


def test_a_new_version_that_adds_up_clears_the_warning(folder, tmp_path):
    db = tmp_path / "x.duckdb"
    for path in folder.iterdir():
        if "2023" in path.name:
            path.unlink()
    ingest_folder(folder, db)
    parse_pending(db)
    result = reports_satisfy_identities(warehouse=Warehouse(db_path=str(db)))
    assert result.passed and result.metadata["reports_violating"].value == 0


def test_a_document_left_unparsed_or_breaking_the_parser_is_an_error(folder, tmp_path, monkeypatch):
    import scrapers.parse.report as report

    db = tmp_path / "x.duckdb"
    ingest_folder(folder, db)
    real = report._extract

    def broken(data, name):
        if name and "2024" in name:
            raise RuntimeError("a bug in the extractor")
        return real(data, name)

    monkeypatch.setattr(report, "_extract", broken)
    # in this process: a worker process would not see the monkeypatch
    parse_pending(db, limits=IN_PROCESS)
    monkeypatch.setattr(report, "_extract", real)
    late = tmp_path / "late"
    late.mkdir()
    shutil.copy(FIXTURES / "corpus" / "docs" / "jiangsu-huaian-city-gov-2024.pdfplumber.txt", late)
    ingest_folder(late, db)  # registered, never parsed

    result = every_document_parsed(warehouse=Warehouse(db_path=str(db)))

    assert not result.passed and result.severity == dg.AssetCheckSeverity.ERROR
    assert result.metadata["documents"].value == 4
    assert result.metadata["parser_errors"].value == 1
    assert result.metadata["not_parsed"].value == 1
    assert "a bug in the extractor" in result.metadata["broken"].value

    parse_pending(db, refresh=True)
    assert every_document_parsed(warehouse=Warehouse(db_path=str(db))).passed
