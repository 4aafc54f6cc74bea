"""The dbt project as Dagster sees it, with its manifest kept up to date."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from scrapers.settings import DBT_DIR, SEEDS_DIR

# dagster-dbt runs `dbt` from PATH; make it this environment's dbt even when the venv
# is not activated (e.g. `.venv/bin/xxgk run`).
_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)


def _newest_source_mtime() -> float:
    paths = [*DBT_DIR.joinpath("models").rglob("*"), *DBT_DIR.joinpath("macros").rglob("*"),
             *DBT_DIR.joinpath("tests").rglob("*"), *SEEDS_DIR.glob("*"), DBT_DIR / "dbt_project.yml"]
    return max((p.stat().st_mtime for p in paths if p.is_file()), default=0.0)


def ensure_manifest() -> Path:
    """Build target/manifest.json with `dbt parse` when it is missing or older than the
    project: outside `dagster dev`, dagster-dbt expects it to exist already."""
    manifest = Path(dbt_project.manifest_path)
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime():
        dbt_project.preparer.prepare(dbt_project)
    return manifest
