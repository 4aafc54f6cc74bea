import sys
from pathlib import Path

# test helper modules (gold.py, ...) import by name
sys.path.insert(0, str(Path(__file__).parent))

import pytest


@pytest.fixture(scope="session")
def site_warehouse(tmp_path_factory):
    """One warehouse for the site and release tests (tests/site_corpus.py): (corpus folder, db)."""
    from site_corpus import build_site_warehouse

    folder = tmp_path_factory.mktemp("site-corpus")
    db = tmp_path_factory.mktemp("site-wh") / "xxgk.duckdb"
    build_site_warehouse(folder, db, tmp_path_factory.mktemp("site-dbt"))
    return folder, db
