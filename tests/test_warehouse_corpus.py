"""Every document of the real corpus through the whole pipeline (folder -> Dagster -> parser
-> dbt): the marts hold the gold values and list exactly the violations the sources contain."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb
import pytest

from dagster_project.run import run_pipeline
from gold import CORPUS, KEYS, gold_files, load_gold

pytestmark = pytest.mark.slow

# Identity violations as printed, from the corpus README and the gold notes.
SOURCE_VIOLATIONS = {
    "shanghai-general-office-2019": 12,
    "jiangsu-hongze-district-gov-2023": 2,
    "jiangsu-hongze-district-gov-2023.pdfplumber": 2,
    # 四、结转 prints 1 0 0 0 0 0 with its 总计 blank: its row total and the 总计 column balance
    "shanghai-science-commission-2024": 2,
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    for sub in ("docs", "seed", "pre2019/docs"):
        shutil.copytree(CORPUS / sub, folder / sub)
    db = tmp_path_factory.mktemp("wh") / "xxgk.duckdb"
    with dg.instance_for_test() as instance:
        report = run_pipeline(from_dir=str(folder), db=db, instance=instance)
    con = duckdb.connect(str(db), read_only=True)
    yield folder, con, report
    con.close()


def _report_id(con, folder, gold_path):
    doc, _ = load_gold(gold_path)
    copied = folder / doc.relative_to(CORPUS)
    row = con.execute("select report_id from marts.dim_report where source_url = ?", [copied.resolve().as_uri()]).fetchone()
    assert row, f"no report for {copied}"
    return row[0]


def test_pipeline_succeeds(warehouse):
    _, _, report = warehouse
    assert report["success"], report


@pytest.mark.parametrize("gold_path", gold_files(), ids=lambda p: p.stem)
def test_marts_hold_the_gold_values(warehouse, gold_path):
    folder, con, _ = warehouse
    _, gold = load_gold(gold_path)
    report_id = _report_id(con, folder, gold_path)
    queries = {
        "requests": "select outcome, applicant_type, value from marts.fct_requests where report_id = ? and not is_derived",
        "appeals": "select proceeding, result, value from marts.fct_appeals where report_id = ?",
        "proactive": "select item, measure, value from marts.fct_proactive where report_id = ? and value is not null",
    }
    for table in KEYS:
        got = {(a, b): float(v) for a, b, v in con.execute(queries[table], [report_id]).fetchall()}
        want = {(a, b): float(v) for a, inner in (gold.get(table) or {}).items() for b, v in inner.items()}
        assert {k: got.get(k) for k in want} == want, table
    narrative = dict(con.execute("select measure, value from marts.fct_narrative where report_id = ?", [report_id]).fetchall())
    assert {k: float(v) for k, v in narrative.items()} == {k: float(v) for k, v in (gold.get("narrative") or {}).items()}
    year, template = con.execute("select year, template from marts.dim_report where report_id = ?", [report_id]).fetchone()
    assert (year, template) == (gold["year"], gold["template"])


@pytest.mark.parametrize("gold_path", gold_files(), ids=lambda p: p.stem)
def test_violations_are_exactly_the_sources(warehouse, gold_path):
    folder, con, _ = warehouse
    report_id = _report_id(con, folder, gold_path)
    n = con.execute(
        "select count(*) from marts.qa_identity_violations where report_id = ? and severity = 'strict'", [report_id]
    ).fetchone()[0]
    assert n == SOURCE_VIOLATIONS.get(gold_path.stem, 0)


def test_every_report_of_the_corpus_is_in_the_warehouse(warehouse):
    folder, con, _ = warehouse
    files = [p for p in folder.rglob("*") if p.is_file()]
    n = con.execute("select count(*) from marts.dim_report where origin = 'local'").fetchone()[0]
    assert n == len(files)
