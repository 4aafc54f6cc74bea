"""The warehouse the site and release tests share: real reports of tests/fixtures/reports
(one of each shape the site must lay out) and two cases generated from the real Beijing
report, each naming another 朝阳 subdistrict:
- 左家庄 2019: the 总计 of （一）予以公开 printed blank while its applicant cells add up to 8;
- 麦子店 2019: the 总计 of （二）部分公开 printed blank where its applicant cells are all 0;
- 安贞 2019: the 总计 of （一）予以公开 printed 9 beside parts that add up to 8.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

# fixed, so that office_year_summary does not grow a row per office with the calendar
LAST_REPORT_YEAR = 2025
REPORTS = Path(__file__).parent / "fixtures" / "reports"
XIANGHEYUAN = REPORTS / "beijing-chaoyang-xiangheyuan-2019.txt"
SHANGHAI_2019 = REPORTS / "shanghai-general-office-2019.html"
REAL = [
    XIANGHEYUAN,
    SHANGHAI_2019,                                   # 总计 column blank for every outcome row
    REPORTS / "jiangsu-hongze-district-gov-2023.pdfplumber.txt",  # a PDF's text: labels apart from numbers; table 四 totals 0
    REPORTS / "chaoyang-sjj-2010.txt",               # pre-2019 statements with a rate
]
GRANTED_ROW = "三、本年度办理结果\t(一) 予以公开\t8\t0\t0\t0\t0\t0\t8\t"
PARTIAL_ROW = "\t(二) 部分公开 (区分处理的, 只计这一情形, 不计其他情形)\t0\t0\t0\t0\t0\t0\t0\t"


def generated_reports() -> dict[str, str]:
    text = XIANGHEYUAN.read_text(encoding="utf-8")
    assert GRANTED_ROW in text and PARTIAL_ROW in text, "the Beijing fixture changed: update the generated cases"
    return {
        "generated-zuojiazhuang-2019-blank-granted-total.txt":
            text.replace("香河园", "左家庄").replace(GRANTED_ROW, GRANTED_ROW.replace("\t0\t8\t", "\t0\t\t")),
        "generated-maizidian-2019-blank-zero-total.txt":
            text.replace("香河园", "麦子店").replace(PARTIAL_ROW, PARTIAL_ROW[:-2] + "\t"),
        "generated-anzhen-2019-granted-total-off-by-one.txt":
            text.replace("香河园", "安贞").replace(GRANTED_ROW, GRANTED_ROW.replace("\t0\t8\t", "\t0\t9\t")),
    }


def build_site_warehouse(folder: Path, db: Path, work: Path) -> None:
    """Copy the corpus into folder and build db from it with the pipeline's own steps (the
    assets' functions and `dbt build`, in this process: Dagster adds nothing the site reads
    and costs seconds), dbt's target and logs in work."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in REAL:
        shutil.copy(path, folder / path.name)
    for name, text in generated_reports().items():
        (folder / name).write_text(text, encoding="utf-8")
    build_warehouse(folder, db, work)


def build_warehouse(folder: Path, db: Path, work: Path, parse: bool = True) -> None:
    """Register the files of folder in db, parse them (unless `parse` is false), match the
    offices and `dbt build`, as the pipeline does."""
    from scrapers.load.documents import ingest_folder
    from scrapers.load.parses import parse_pending

    ingest_folder(folder, db)
    if parse:
        parse_pending(db)
    dbt_build(db, work)


# dbt's parse of the project in dbt/, by database name (the warehouse file's stem, which the
# nodes carry), once per test process: each call has a target folder of its own, where dbt would
# parse the whole project again (about 7 s). A copy of the project a test changes is parsed anew.
_MANIFESTS: dict[str, object] = {}


def run_dbt(db: Path, work: Path, *args: str, project_dir: Path | None = None):
    """Match the offices (as the parse step does: Python matches them, dbt joins them), then
    `dbt <args>` against db in this process (a dbt start costs seconds), with target and logs
    in `work` (never in the project), of the project in `project_dir` (default: dbt/)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner

    from scrapers.load.warehouse import transaction
    from scrapers.offices import match_offices
    from scrapers.settings import DBT_DIR

    with transaction(db) as con:
        match_offices(con)
    previous = os.environ.get("XXGK_DB")
    os.environ["XXGK_DB"] = str(db)
    options = ["--project-dir", str(project_dir or DBT_DIR), "--profiles-dir", str(project_dir or DBT_DIR),
               "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
               "--vars", json.dumps({"last_report_year": LAST_REPORT_YEAR}), "--quiet"]
    try:
        manifest = None
        if project_dir is None and args[0] != "parse":
            if db.stem not in _MANIFESTS:
                parsed = dbtRunner().invoke(["parse", *options])
                if parsed.exception is not None:
                    raise parsed.exception
                _MANIFESTS[db.stem] = parsed.result
            manifest = _MANIFESTS[db.stem]
        result = dbtRunner(manifest=manifest).invoke([*args, *options])
    finally:
        # dbt-duckdb keeps the file open in the process after a run; close it as the end of
        # a dbt process would, so the tests can open it
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
        DuckDBConnectionManager.close_all_connections()
        if previous is None:
            os.environ.pop("XXGK_DB", None)
        else:
            os.environ["XXGK_DB"] = previous
    if result.exception is not None:
        raise result.exception
    return result


def dbt_build(db: Path, work: Path) -> None:
    """`dbt build` into db, as the pipeline does; any failing node fails the caller."""
    result = run_dbt(db, work, "build")
    assert result.success or all(str(r.status) in ("pass", "success", "warn") for r in result.result.results), \
        [(r.node.name, str(r.status)) for r in result.result.results if str(r.status) not in ("pass", "success", "warn")]
