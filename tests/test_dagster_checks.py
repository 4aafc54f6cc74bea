"""The asset checks on the marts, on real reports built into a warehouse by the pipeline's own
steps: a report whose printed totals disagree is a warning on marts.qa_identity_violations
naming it; a document the pipeline failed to parse is an error on marts.dim_report. The checks
read the marts, so what they say is what the parser found (raw.checks) for the version dbt
calls current."""

import shutil
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.checks import QA_MART, REPORTS_MART, every_document_parsed, mart_checks, reports_satisfy_identities
from dagster_project.resources import Warehouse
from scrapers.load.parses import IN_PROCESS, parse_pending
from scrapers.parse.report import parse_file
from site_corpus import build_warehouse

FIXTURES = Path(__file__).parent / "fixtures"
# 洪泽区 2024 and the 香河园 seed report add up
ADDING_UP = [
    FIXTURES / "corpus" / "docs" / "jiangsu-hongze-district-gov-2024.pdfplumber.txt",
    FIXTURES / "reports" / "beijing-chaoyang-xiangheyuan-2019.txt",
]


def test_the_checks_judge_the_marts():
    assert {c.check_key.asset_key for c in mart_checks} == {QA_MART, REPORTS_MART}


@pytest.mark.slow
def test_identity_violations_are_a_warning_that_names_the_reports(site_warehouse):
    folder, db = site_warehouse
    # what the parser itself finds in each report, the check must report as it is
    failing = {}
    for path in sorted(folder.iterdir()):
        broken = sorted(f"{c.identity}{' ' + c.row_code if c.row_code else ''}{' ' + c.column_code if c.column_code else ''}"
                        for c in parse_file(path).checks if not c.passed)
        if broken:
            failing[path.name] = broken
    # 洪泽区 2023 prints 行政复议 totals of 0 over results that sum to 11 (its gold note)
    assert "jiangsu-hongze-district-gov-2023.pdfplumber.txt" in failing and len(failing) >= 3

    result = reports_satisfy_identities(warehouse=Warehouse(db_path=str(db)))

    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["reports_violating"].value == len(failing)
    by_district = result.metadata["by_district"].value
    assert sum(c["violating"] for c in by_district.values()) == len(failing)
    assert result.metadata["reports_checked"].value == sum(c["reports"] for c in by_district.values())
    table = result.metadata["violations"].value
    assert table.count("\n") == 1 + len(failing)  # header, rule and one line a report
    for broken in failing.values():
        assert ", ".join(broken) in table
    # every document of this warehouse was parsed: the pipeline's own check passes
    parsed = every_document_parsed(warehouse=Warehouse(db_path=str(db)))
    assert parsed.passed and parsed.metadata["documents"].value == len(list(folder.iterdir()))


@pytest.fixture()
def folder(tmp_path):
    target = tmp_path / "reports"
    target.mkdir()
    for path in ADDING_UP:
        shutil.copy(path, target)
    return target


@pytest.mark.slow
def test_reports_that_add_up_pass_and_a_broken_or_missing_parse_is_an_error(folder, tmp_path, monkeypatch):
    import scrapers.parse.report as report
    from scrapers.load.documents import ingest_folder

    db = tmp_path / "x.duckdb"
    real = report._extract

    def broken(data, name):
        if name and "2024" in name:
            raise RuntimeError("a bug in the extractor")
        return real(data, name)

    monkeypatch.setattr(report, "_extract", broken)
    ingest_folder(folder, db)
    # in this process: a worker process would not see the monkeypatch
    parse_pending(db, limits=IN_PROCESS)
    monkeypatch.setattr(report, "_extract", real)
    late = tmp_path / "late"
    late.mkdir()
    shutil.copy(FIXTURES / "corpus" / "docs" / "jiangsu-huaian-city-gov-2024.pdfplumber.txt", late)
    build_warehouse(late, db, tmp_path, parse=False)  # registered, never parsed
    warehouse = Warehouse(db_path=str(db))

    identities = reports_satisfy_identities(warehouse=warehouse)
    assert identities.passed and identities.metadata["reports_violating"].value == 0
    assert identities.metadata["reports_checked"].value == 1  # 香河园: the others have no parse to check

    result = every_document_parsed(warehouse=warehouse)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.ERROR
    assert result.metadata["documents"].value == 3
    assert result.metadata["parser_errors"].value == 1
    assert result.metadata["not_parsed"].value == 1
    assert "a bug in the extractor" in result.metadata["broken"].value

