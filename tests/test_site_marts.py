"""office_year_summary cannot mislead: a rate whose inputs are doubtful is NULL with its
reason (dbt docs: rate_reasons), on real reports and on cases generated from the real
Beijing report (tests/site_corpus.py); the descriptions are in the DuckDB file."""

from __future__ import annotations

import duckdb
import pytest


@pytest.fixture(scope="module")
def con(site_warehouse):
    con = duckdb.connect(str(site_warehouse[1]), read_only=True)
    yield con
    con.close()


def summary(con, office_name: str, year: int) -> dict:
    cur = con.execute("select * from marts.office_year_summary where office_name = ? and year = ?", [office_name, year])
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    assert len(rows) == 1, (office_name, year, rows)
    return dict(zip(names, rows[0]))


def test_a_blank_total_gives_no_rate(con):
    # generated: 左家庄 = 香河园's report with the 总计 of （一）予以公开 printed blank (parts add to 8)
    row = summary(con, "左家庄街道办事处", 2019)
    assert row["granted"] == 0  # the figure stays as printed
    assert row["processed"] == 8
    assert row["grant_rate"] is None and row["grant_rate_reason"] == "blank_total"
    assert row["figures_quality"] == "identities_broken"


def test_the_real_blank_total_column_gives_no_rate(con):
    # Shanghai 2019 leaves 总计 blank on every outcome row: the old mart said grant_rate 0.0
    row = summary(con, "上海市人民政府办公厅", 2019)
    assert row["processed"] == 805 and row["granted"] == 0
    assert row["grant_rate"] is None and row["grant_rate_reason"] == "blank_total"
    assert row["review_correction_rate"] is None and row["review_correction_rate_reason"] == "partial_parse"


def test_a_blank_that_means_zero_keeps_the_rate(con):
    # generated: 麦子店 = 香河园 with the 总计 of （二）部分公开 blank where all its parts are 0
    row = summary(con, "麦子店街道办事处", 2019)
    original = summary(con, "香河园街道办事处", 2019)
    assert row["grant_rate"] == original["grant_rate"] == 1.0
    assert row["grant_rate_reason"] is None
    assert row["figures_quality"] == original["figures_quality"] == "sound"


def test_a_total_that_disagrees_with_its_parts_gives_no_rate(con):
    # generated: 安贞 = 香河园 with the 总计 of （一）予以公开 printed 9 beside parts adding up to 8
    row = summary(con, "安贞街道办事处", 2019)
    assert (row["granted"], row["processed"]) == (9, 8)  # as printed: a rate would be 112.5%
    assert row["grant_rate"] is None and row["grant_rate_reason"] == "identity_broken"
    assert row["figures_quality"] == "identities_broken"


def test_a_broken_appeals_row_withholds_the_correction_rate(con):
    # 洪泽 2023 prints table 四's totals as 0 beside non-zero parts
    row = summary(con, "洪泽区人民政府", 2023)
    assert row["identity_violations"] == 2
    # 行政复议 总计 0 beside parts of 11, 复议后起诉 总计 0 beside 5
    assert (row["review_correction_rate"], row["review_correction_rate_reason"]) == (None, "identity_broken")
    assert (row["lawsuit_correction_rate"], row["lawsuit_correction_rate_reason"]) == (None, "identity_broken")
    assert row["grant_rate"] == 0.0 and row["grant_rate_reason"] is None  # its table 三 holds


def test_a_partial_pre2019_statement_withholds_its_rate(con):
    row = summary(con, "北京市朝阳区审计局", 2010)
    assert (row["granted"], row["processed"]) == (1, 3)
    assert row["grant_rate"] is None and row["grant_rate_reason"] == "partial_parse"
    assert row["review_correction_rate_reason"] == "not_stated"


def test_every_rate_has_either_a_value_or_a_reason(con):
    for rate in ("grant_rate", "review_correction_rate", "lawsuit_correction_rate"):
        both_or_neither = con.execute(
            f"select count(*) from marts.office_year_summary where ({rate} is null) = ({rate}_reason is null)"
        ).fetchone()[0]
        assert both_or_neither == 0, rate
    no_report = con.execute("select distinct grant_rate_reason, figures_quality from marts.office_year_summary "
                            "where report_id is null").fetchall()
    assert no_report == [("no_report", "no_report")]


def test_descriptions_are_persisted_as_comments(con):
    undocumented = con.execute(
        "select table_name, column_name from duckdb_columns() where schema_name = 'marts' "
        "and coalesce(comment, '') = ''").fetchall()
    assert undocumented == []
    comment = con.execute("select comment from duckdb_columns() where schema_name = 'marts' "
                          "and table_name = 'office_year_summary' and column_name = 'grant_rate_reason'").fetchone()[0]
    assert "blank_total" in comment and "{{" not in comment
    assert con.execute("select count(*) from duckdb_tables() where schema_name = 'marts' "
                       "and coalesce(comment, '') = ''").fetchone()[0] == 0
