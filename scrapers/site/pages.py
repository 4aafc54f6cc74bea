"""What each page of the site shows, read from the marts (and the stored bytes of raw.blobs
for the copies of the documents). Functions of a read-only connection, no writing here."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

import duckdb

CHINESE_NUMERALS = "一二三四五六七八九十"
OTHER_DISTRICT = "other"  # reports whose office is outside the registry's districts

STATUS_LABELS = {
    "ok": "完整读取 read in full", "partial": "部分读取 partly read", "failed": "读取失败 failed",
    "needs_ocr": "需OCR needs OCR", "unsupported_format": "格式不支持 unsupported format",
    "not_parsed": "未解析 not parsed",
}
REASON_LABELS = {
    "no_report": "无报告 no report", "no_figures": "无数字 no figures", "not_read": "单元格未读取 cell not read",
    "not_stated": "未陈述 not stated", "blank_total": "总计空白 total printed blank",
    "identity_broken": "勾稽关系不符 identity broken", "partial_parse": "部分读取 partial parse",
    "approximate": "约数 approximate", "nothing_processed": "无办结 nothing answered",
    "nothing_concluded": "无审结 nothing concluded",
}
QUALITY_LABELS = {
    "sound": "可靠 sound", "approximate": "约数 approximate", "partial": "部分读取 partial",
    "identities_broken": "勾稽关系不符 identities broken", "no_figures": "无数字 no figures",
    "no_report": "无报告 no report",
}
MEDIA_EXTENSIONS = {
    "text/html": "html", "application/pdf": "pdf", "text/plain": "txt", "text/markdown": "md",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/msword": "doc",
}


def linkable(url: str | None) -> str | None:
    """A URL the pages may link to: the schemes documents come from, nothing a page would run."""
    return url if url and url.split(":", 1)[0].lower() in ("http", "https", "file") else None


def records(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def has_column(con: duckdb.DuckDBPyConnection, schema: str, table: str, column: str) -> bool:
    return bool(con.execute(
        "select count(*) from duckdb_columns() where schema_name = ? and table_name = ? and column_name = ?",
        [schema, table, column]).fetchone()[0])


def district_key(code: str | None) -> str:
    return code or OTHER_DISTRICT


def cell_marks(location: str | None, is_ocr: bool) -> list[str]:
    """How a cell was placed, from the parser's location: read by OCR, or placed by a rule
    (the template's order) rather than read beside its label."""
    marks = []
    loc = (location or "").lower()
    if is_ocr or " box" in loc or loc.startswith("box") or "ocr" in loc:
        marks.append("ocr")
    if "placed by" in loc:
        marks.append("placed")
    return marks


# ---------------------------------------------------------------------------------------
# the whole site


@dataclass
class Districts:
    names: dict[str, str]          # key -> district name
    order: list[str]


def read_districts(con: duckdb.DuckDBPyConnection) -> Districts:
    rows = con.execute(
        "select district_code, any_value(district) from marts.dim_office where district_code is not null "
        "group by 1 order by 1").fetchall()
    names = {code: name for code, name in rows}
    order = list(names)
    if con.execute("select count(*) from marts.dim_report where district_code is null").fetchone()[0]:
        names[OTHER_DISTRICT] = "其他（登记表外） Outside the registry"
        order.append(OTHER_DISTRICT)
    return Districts(names, order)


def coverage(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return records(con, """
        select district_code, district, office_id, office_name, office_type, year, timeliness, report_id,
               published_date, deadline, days_late, report_status
        from marts.publication_coverage
        order by district_code, office_type, office_name, year""")


def yearly_totals(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return records(con, """
        select year, any_value(era) as era,
               count(*) filter (where figures_source in ('standard_tables', 'pre2019_statement')) as reports,
               count(*) filter (where figures_quality not in ('sound', 'no_report', 'no_figures')) as doubtful,
               sum(received) as received, sum(granted) as granted, sum(partially_granted) as partially_granted,
               sum(denied) as denied, sum(unable) as unable, sum(not_processed) as not_processed,
               sum(other) as other, sum(reviews) as reviews, sum(lawsuits) as lawsuits
        from marts.office_year_summary
        where figures_source in ('standard_tables', 'pre2019_statement')
        group by year order by year""")


def summaries(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return records(con, """
        select summary.*, coalesce(summary.district_code, report.district_code) as district_key_code
        from marts.office_year_summary as summary
        left join marts.dim_report as report using (report_id)
        where summary.report_id is not null
        order by summary.office_name, summary.year""")


def violations(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return records(con, """
        select violations.*, report.district_code
        from marts.qa_identity_violations as violations
        join marts.dim_report as report using (report_id)
        order by violations.year, violations.office_name, violations.identity, violations.row_code, violations.column_code""")


def offices(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return records(con, """
        select office_id, district, district_code, office_name, normalised_name, office_type, is_registered,
               published_names, reports, first_report_year, last_report_year, valid_from, valid_to, notes
        from marts.dim_office order by district_code, office_name""")


def reports(con: duckdb.DuckDBPyConnection) -> list[dict]:
    ocr = "is_ocr" if has_column(con, "marts", "dim_report", "is_ocr") else "false as is_ocr"
    return records(con, f"""
        select report_id, district, district_code, office_id, office_name, printed_office, office_type, year,
               template, status, problems, source_url, report_url, fetched_at, first_fetched_at, sha256, title,
               format, media_type, origin, portal, published_date, version_number, version_count,
               identities_checked, identity_violations, is_primary, {ocr}
        from marts.dim_report order by year nulls last, office_name""")


def versions(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict]]:
    """Every version of every report (the marts hold the current one's cells)."""
    out: dict[str, list[dict]] = defaultdict(list)
    for row in records(con, """
            select report_id, sha256, source_url, fetched_at, media_type, version_number, is_current
            from intermediate.int_report_versions_ranked order by report_id, version_number"""):
        out[row["report_id"]].append(row)
    return out


def blob(con: duckdb.DuckDBPyConnection, sha256: str) -> bytes | None:
    row = con.execute("select body from raw.blobs where sha256 = ?", [sha256]).fetchone()
    return bytes(row[0]) if row else None


# ---------------------------------------------------------------------------------------
# a report's tables, laid out as the template prints them


@dataclass
class Labels:
    outcomes: list[dict]
    applicants: list[dict]
    proceedings: list[dict]
    results: list[dict]
    items: list[dict]
    measures: dict[str, dict]
    grid: list[dict]
    narrative: dict[str, dict]


def read_labels(con: duckdb.DuckDBPyConnection) -> Labels:
    return Labels(
        outcomes=records(con, "select * from marts.dim_outcome order by sort_order"),
        applicants=records(con, "select * from marts.dim_applicant_type order by sort_order"),
        proceedings=records(con, "select * from raw.appeal_proceedings order by sort_order"),
        results=records(con, "select * from raw.appeal_results order by sort_order"),
        items=records(con, "select * from raw.proactive_items order by sort_order"),
        measures={m["code"]: m for m in records(con, "select * from raw.proactive_measures order by sort_order")},
        grid=records(con, "select * from raw.proactive_grid order by sort_order"),
        narrative={m["measure"]: m for m in records(con, "select * from marts.dim_narrative_measure")},
    )


def report_cells(con: duckdb.DuckDBPyConnection, report_ids: list[str]) -> dict[str, dict[str, dict]]:
    """The cells of some reports by report and table, keyed (row, column): a few queries per
    batch of reports rather than per report."""
    cells: dict[str, dict[str, dict]] = {
        rid: {"requests": {}, "appeals": {}, "proactive": {}, "narrative": {}} for rid in report_ids}
    ids = {"ids": report_ids}
    for r in records(con, "select report_id, outcome, applicant_type, value, raw, location, is_derived "
                          "from marts.fct_requests where report_id in (select unnest($ids))", ids):
        cells[r["report_id"]]["requests"][(r["outcome"], r["applicant_type"])] = r
    for r in records(con, "select report_id, proceeding, result, value, raw, location from marts.fct_appeals "
                          "where report_id in (select unnest($ids))", ids):
        cells[r["report_id"]]["appeals"][(r["proceeding"], r["result"])] = r
    for r in records(con, "select report_id, item, measure, value, raw, unit, amount_wan_yuan, location, is_printed "
                          "from marts.fct_proactive where report_id in (select unnest($ids))", ids):
        cells[r["report_id"]]["proactive"][(r["item"], r["measure"])] = r
    for r in records(con, "select report_id, measure, value, raw, approximate, location from marts.fct_narrative "
                          "where report_id in (select unnest($ids))", ids):
        cells[r["report_id"]]["narrative"][(r["measure"], "value")] = r
    return cells


def broken_cells(report_violations: list[dict]) -> dict[tuple[str, str, str], list[dict]]:
    """Which printed cells each failed identity points at: (table, row, column) -> violations.
    The left side of an identity is one cell (a total); the right side is its parts."""
    out: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for v in report_violations:
        table, row, col = v["table_name"], v["row_code"], v["column_code"]
        if v["identity"] in ("requests_row_total", "appeals_row_total"):
            out[(table, row, "total")].append(v)
        elif v["identity"] in ("requests_outcome_total", "requests_balance"):
            out[(table, "processed_total", col)].append(v)
        elif v["identity"] in ("requests_non_negative", "appeals_non_negative"):
            out[(table, row, col or "total")].append(v)
    return out


def _number(value) -> str:
    if value is None:
        return ""
    if float(value) == int(value):
        return f"{int(value):,}"
    return f"{float(value):,.4f}".rstrip("0").rstrip(".")


def provenance_cell(report: dict, cell: dict | None, table: str, row: str, column: str,
                    broken: dict[tuple[str, str, str], list[dict]]) -> dict:
    """One number with what the reader needs to check it against the document."""
    if cell is None or cell.get("value") is None:
        return {"text": "", "missing": True, "classes": "missing"}
    failures = broken.get((table, row, column), [])
    marks = cell_marks(cell.get("location"), bool(report.get("is_ocr")))
    info = {
        "table": table, "row": row, "column": column,
        "value": _number(cell["value"]),
        "raw": cell.get("raw"),
        "loc": cell.get("location"),
        "source_url": report["source_url"],
        "source_link": linkable(report["source_url"]),
        "fetched_at": report["fetched_at"].isoformat() if report.get("fetched_at") else None,
        "sha256": report["sha256"],
        "derived": bool(cell.get("is_derived")),
        "marks": marks,
        "identities": [
            {"identity": f["identity"], "left_side": f["left_side"], "right_side": f["right_side"],
             "left_value": _number(f["left_value"]), "right_value": _number(f["right_value"]),
             "difference": _number(f["difference"])}
            for f in failures
        ],
    }
    # a 0 read from an empty cell is shown as such, not as a printed 0
    printed_blank = cell.get("raw") is not None and cell["raw"].strip() == ""
    classes = (["cell"] + (["broken"] if failures else []) + marks + (["derived"] if info["derived"] else [])
               + (["blank"] if printed_blank else []))
    title = f"{cell.get('location') or ''} · 原文 raw: 「{cell.get('raw') or ''}」"
    return {"text": info["value"], "classes": " ".join(classes), "data": json.dumps(info, ensure_ascii=False),
            "title": title}


def request_table(report: dict, cells: dict, labels: Labels, broken: dict) -> dict:
    template = report["template"] if report["template"] in ("2019", "2021") else "2021"
    printed = {row for row, _ in cells}
    rows = []
    categories: list[str] = []
    for outcome in labels.outcomes:
        code = outcome["outcome"]
        in_template = outcome[f"in_{template}"]
        # a derived row shows only where the table printed its sub-rows instead; sub-rows
        # only where it did not print their parent as one row
        if not in_template and code not in printed:
            continue
        if outcome["parent_outcome"] and code not in printed and outcome["parent_outcome"] in printed:
            continue
        if outcome["role"] == "outcome" and outcome["category"] not in categories:
            categories.append(outcome["category"])
            if len(categories) == 1:
                rows.append({"group": "三、本年度办理结果", "en": "Outcomes this year"})
            # the template prints a category's own row only where it has no sub-rows
            if not outcome["label_zh"].startswith("（"):
                rows.append({"group": f"（{CHINESE_NUMERALS[len(categories) - 1]}）{outcome['category_zh']}",
                             "en": outcome["category_en"]})
        rows.append({
            "code": code, "label_zh": outcome["label_zh"], "label_en": outcome["label_en"],
            "role": outcome["role"], "category_zh": outcome["category_zh"], "is_sub": bool(outcome["parent_outcome"]),
            "cells": [provenance_cell(report, cells.get((code, a["applicant_type"])), "requests", code,
                                      a["applicant_type"], broken) for a in labels.applicants],
        })
    groups: list[dict] = []
    for a in labels.applicants:
        if groups and groups[-1]["zh"] == a["group_zh"]:
            groups[-1]["span"] += 1
        else:
            groups.append({"zh": a["group_zh"], "en": a["group_en"], "span": 1})
    return {"rows": rows, "applicants": labels.applicants, "groups": groups}


def appeal_table(report: dict, cells: dict, labels: Labels, broken: dict) -> dict:
    return {
        "proceedings": labels.proceedings, "results": labels.results,
        "cells": [provenance_cell(report, cells.get((p["code"], r["code"])), "appeals", p["code"], r["code"], broken)
                  for p in labels.proceedings for r in labels.results],
    }


def proactive_table(report: dict, cells: dict, labels: Labels, broken: dict) -> list[dict]:
    """Table 二 in the template's sections (第二十条第（一）项 …), one block per clause, each
    with the columns that clause prints in this report's template."""
    template = report["template"] if report["template"] in ("2019", "2021") else "2021"
    grid: dict[str, list[str]] = defaultdict(list)
    for g in labels.grid:
        if g[f"in_{template}"]:
            grid[g["item"]].append(g["measure"])
    sections: list[dict] = []
    for item in labels.items:
        measures = grid.get(item["code"])
        if not measures:
            continue
        if not sections or sections[-1]["clause"] != item["clause_zh"] or sections[-1]["measures"] != measures:
            sections.append({"clause": item["clause_zh"], "measures": measures,
                             "headers": [labels.measures[m] for m in measures], "rows": []})
        sections[-1]["rows"].append({
            "label_zh": item["label_zh"], "label_en": item["label_en"],
            "cells": [provenance_cell(report, cells.get((item["code"], m)), "proactive", item["code"], m, broken)
                      for m in measures],
        })
    return sections


def narrative_rows(report: dict, cells: dict, labels: Labels, broken: dict) -> list[dict]:
    return [{"measure": measure, "label": labels.narrative.get(measure, {"label_zh": measure, "label_en": ""}),
             "approximate": bool(cell.get("approximate")),
             "cell": provenance_cell(report, cell, "narrative", measure, "value", broken)}
            for (measure, _), cell in sorted(cells.items())]
