"""Regression (#17): a 6 KB PDF of nested forms aborted the whole `xxgk run --from`, and no
report of the folder reached the marts. Now the folder's good reports reach the marts and each
hostile file is one failed parse with its reason."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest

from test_isolation import line_grid, nested_forms, stream_bomb

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
REPORTS = REPO / "tests" / "fixtures" / "reports"
# one of each format and era: the run's cost is dbt's, whatever the number of reports
GOOD = ["beijing-chaoyang-xiangheyuan-2019.txt", "chaoyang-donghu-jd-2014.txt", "jiangsu-hongze-district-gov-2024.pdf",
        "jiangsu-huaian-city-gov-2024.pdf", "shanghai-general-office-2019.html", "shanghai-science-commission-2024.md"]
XXGK = Path(sys.executable).with_name("xxgk")


def test_xxgk_run_from_a_folder_with_hostile_files_builds_the_marts(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in GOOD:
        shutil.copy(REPORTS / name, folder)
    good = set(GOOD)
    hostile = {"nested-forms.pdf": nested_forms(24), "grid.pdf": line_grid(1000), "bomb.pdf": stream_bomb(1024)}
    for name, data in hostile.items():
        (folder / name).write_bytes(data)
    shm = Path("/dev/shm")
    home = Path(tempfile.mkdtemp(prefix="xxgk-isolation-", dir=shm if shm.is_dir() else None))
    try:
        shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
        env = {**os.environ, "DAGSTER_HOME": str(home)}
        env.pop("XXGK_DB", None)
        db = tmp_path / "xxgk.duckdb"
        run = subprocess.run([str(XXGK), "run", "--from", str(folder), "--db", str(db)], cwd=REPO, env=env,
                             capture_output=True, text=True, timeout=240)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    con = duckdb.connect(str(db), read_only=True)
    try:
        parses = dict(con.execute(
            """select regexp_extract(d.source_url, '[^/]+$'), [p.status, cast(p.problems as varchar)]
               from raw.parses p join raw.documents d using (sha256)""").fetchall())
        in_marts = {row[0] for row in con.execute(
            "select distinct regexp_extract(source_url, '[^/]+$') from marts.dim_report").fetchall()}
        requests = con.execute("select count(*) from marts.fct_requests").fetchone()[0]
    finally:
        con.close()
    assert set(parses) == good | set(hostile)
    for name in hostile:
        status, problems = parses[name]
        assert status == "failed" and json.loads(problems), name
    assert "nested more than 12 deep" in parses["nested-forms.pdf"][1]
    assert "decompression bomb" in parses["bomb.pdf"][1]
    assert "no report's table" in parses["grid.pdf"][1]
    read = {name for name in good if parses[name][0] in ("ok", "partial")}
    assert read == good and read <= in_marts
    assert requests > 100
