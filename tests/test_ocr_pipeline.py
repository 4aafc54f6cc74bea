"""`xxgk run --from DIR` with a picture and a scanned PDF among the files: their cells reach
the marts, marked as read by OCR, beside a text report that is not."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from PIL import Image

from gold import CORPUS, load_gold
from scans import image_pdf, render_pages

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    from dagster_project.run import run_pipeline

    folder = tmp_path_factory.mktemp("reports")
    shutil.copy(FIXTURES / "corpus" / "seed" / "000_3cfb3787871ff2e9.txt", folder)
    # a long screenshot of a report page: its heading, then the page with table 四
    doc_2023, _ = load_gold(CORPUS / "gold" / "jiangsu-hongze-district-gov-2023.json")
    first, fourth = render_pages(doc_2023.read_bytes(), dpi=150, pages=[1, 4])
    shot = Image.new("L", (first.width, 700 + fourth.height), 255)
    shot.paste(first.crop((0, 0, first.width, 700)), (0, 0))
    shot.paste(fourth, (0, 700))
    shot.save(folder / "hongze-2023.png")
    # a scanned PDF: the 2024 report's first page and its table 四 page, without a text layer
    doc_2024, _ = load_gold(CORPUS / "gold" / "jiangsu-hongze-district-gov-2024.json")
    (folder / "hongze-2024-scan.pdf").write_bytes(image_pdf(render_pages(doc_2024.read_bytes(), dpi=150, pages=[1, 4])))
    db = tmp_path_factory.mktemp("wh") / "xxgk.duckdb"
    with dg.instance_for_test() as instance:
        report = run_pipeline(from_dir=str(folder), db=db, instance=instance)
    return db, report


def _query(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_pictures_reach_the_marts_marked_as_ocr(warehouse):
    db, report = warehouse
    assert report["success"], report
    reports = _query(db, "select year, format, is_ocr, status from marts.dim_report order by year")
    assert [(year, fmt, is_ocr) for year, fmt, is_ocr, _ in reports] == [
        (2019, "text", False), (2023, "image-ocr", True), (2024, "pdf-ocr", True)]
    # pages of a report are missing from both pictures: read, but never called complete
    assert [status for *_, status in reports][1:] == ["partial", "partial"]


def test_ocr_cells_carry_their_box_and_the_flag(warehouse):
    db, _ = warehouse
    gold_2023 = load_gold(CORPUS / "gold" / "jiangsu-hongze-district-gov-2023.json")[1]["appeals"]
    gold_2024 = load_gold(CORPUS / "gold" / "jiangsu-hongze-district-gov-2024.json")[1]["appeals"]
    rows = _query(db, "select r.year, a.proceeding, a.result, a.value, a.is_ocr, a.location "
                      "from marts.fct_appeals a join marts.dim_report r using (report_id) where r.is_ocr")
    assert {(y, p, r): v for y, p, r, v, *_ in rows} == {
        **{(2023, p, r): v for p, inner in gold_2023.items() for r, v in inner.items()},
        **{(2024, p, r): v for p, inner in gold_2024.items() for r, v in inner.items()},
    }
    assert all(is_ocr for *_, is_ocr, _loc in rows)
    text_rows = _query(db, "select distinct r.is_ocr from marts.fct_requests r join marts.dim_report d using (report_id) "
                           "where d.format = 'text'")
    assert text_rows == [(False,)]
