"""Every real document of the corpus parses to its gold values and the right status."""

from __future__ import annotations

import pytest

from gold import CORPUS, gold_cells, gold_files, load_gold, parse_cells
from scrapers.parse.report import parse_file


@pytest.mark.parametrize("gold_path", gold_files(), ids=lambda p: p.stem)
def test_gold_values_exact(gold_path):
    doc, gold = load_gold(gold_path)
    parse = parse_file(doc).to_json()
    got = parse_cells(parse)
    want = gold_cells(gold)
    wrong = {k: (got.get(k), v) for k, v in want.items() if got.get(k) is None or abs(float(got[k]) - float(v)) > 1e-9}
    assert not wrong, f"{len(wrong)} cells differ (got, want): {dict(list(wrong.items())[:6])}"
    assert parse["year"] == gold["year"]
    assert parse["template"] == gold["template"]
    if "office" in gold and gold["office"]:
        assert parse["office"] == gold["office"]


@pytest.mark.parametrize("gold_path", gold_files(), ids=lambda p: p.stem)
def test_no_unexpected_cells(gold_path):
    """Cells the gold does not list must be ones the gold left out on purpose, not invented rows."""
    doc, gold = load_gold(gold_path)
    parse = parse_file(doc).to_json()
    extra = set(parse_cells(parse)) - set(gold_cells(gold))
    # the science commission gold leaves out the blank 总计 of 四、结转 on purpose (see its note)
    allowed = {("requests", "carried_forward", "total")} if "science-commission" in gold_path.name else set()
    assert extra <= allowed, sorted(extra - allowed)[:10]


EXPECTED_STATUS = {
    "seed/000_3cfb3787871ff2e9.txt": "ok",
    "docs/jiangsu-hongze-district-gov-2023.pdf": "ok",
    "docs/jiangsu-hongze-district-gov-2023.pdfplumber.txt": "ok",
    "docs/jiangsu-hongze-district-gov-2024.pdf": "ok",
    "docs/jiangsu-hongze-district-gov-2024.pdfplumber.txt": "ok",
    "docs/jiangsu-huaian-city-gov-2024.pdf": "ok",
    "docs/jiangsu-huaian-city-gov-2024.pdfplumber.txt": "ok",
    # a blank 总计 beside non-zero applicant cells is flagged, not trusted
    "docs/shanghai-general-office-2019.html": "partial",
    "docs/shanghai-science-commission-2024.md": "partial",
    # only part of table 三: never filled in
    "docs/jiangsu-huaian-city-gov-2024-table3-fragment.txt": "partial",
}


@pytest.mark.parametrize("relpath", sorted(EXPECTED_STATUS))
def test_every_corpus_document_status(relpath):
    parse = parse_file(CORPUS / relpath)
    assert parse.status == EXPECTED_STATUS[relpath], parse.problems


def test_every_corpus_file_is_covered():
    docs = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file() and p.suffix not in (".json",) and p.name != "README.md"}
    pre2019 = {d for d in docs if d.startswith("pre2019/")}
    assert docs - pre2019 <= set(EXPECTED_STATUS), sorted(docs - pre2019 - set(EXPECTED_STATUS))


def test_fragment_never_invents_rows():
    parse = parse_file(CORPUS / "docs/jiangsu-huaian-city-gov-2024-table3-fragment.txt")
    rows = {c.row for c in parse.requests}
    assert "processed_total" not in rows and "carried_forward" not in rows
    assert any("not found" in p for p in parse.problems)
