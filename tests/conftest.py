import os
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

# test helper modules (gold.py, ...) import by name
sys.path.insert(0, str(Path(__file__).parent))

import pytest
from hypothesis import settings

# One profile for every generated test, loaded before any test module makes its settings (a
# test's @settings takes what it leaves unsaid from the profile loaded then): the same examples
# on every run, so a run fails on a change, not on the draw. HYPOTHESIS_PROFILE=explore draws
# new examples on every run (1,000 for a test that names no number of its own), to look for
# cases the fixed draw does not reach.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", derandomize=False, deadline=None, print_blob=True, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

FIXTURES = Path(__file__).parent / "fixtures"
SEED_REPORT = FIXTURES / "corpus" / "seed" / "000_3cfb3787871ff2e9.txt"
VIOLATING_REPORT = FIXTURES / "reports" / "shanghai-science-commission-2024.md"


def pytest_configure(config):
    # Under xdist, before any worker starts: dbt's manifest, which importing the Dagster
    # definitions builds when it is missing or older than the project (on a fresh clone);
    # workers building it at once would write the same files together.
    if config.getoption("numprocesses", None) and not hasattr(config, "workerinput"):
        from dagster_project.project import ensure_manifest

        ensure_manifest()


# The session fixtures that build a warehouse: under xdist the modules using one share a
# worker, so it is built once.
SHARED_WAREHOUSES = ("site_warehouse", "folder_warehouse")


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile`, but with the modules that use one shared warehouse in one unit.
    (pytest-xdist's own `loadgroup` cannot rename test ids under pytest 9, so its groups are
    ignored; grouping by file here needs no renaming.)"""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    root = config.rootpath
    groups: dict[str, str] = {}

    def unit(path: str) -> str:
        if path not in groups:
            try:
                text = (root / path).read_text(encoding="utf-8")
            except OSError:
                text = ""
            groups[path] = next((name for name in SHARED_WAREHOUSES if name in text), path)
        return groups[path]

    # xdist would hand out the modules with the most tests first (--loadscope-reorder): the
    # end-to-end modules, one to a few tests of a minute or two each, came last and ran alone
    # at the end. Collection order instead, which puts them first (pytest_collection_modifyitems).
    config.option.loadscopereorder = False

    class SharedWarehouseScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit(nodeid.split("::", 1)[0])

    return SharedWarehouseScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    """The modules holding a slow test first, each in its own order: on two cores the longest
    work starts first and the short modules fill in around it."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)


@pytest.fixture(scope="session")
def site_warehouse(tmp_path_factory):
    """One warehouse for the site and release tests (tests/site_corpus.py): (corpus folder, db)."""
    from site_corpus import build_site_warehouse

    folder = tmp_path_factory.mktemp("site-corpus")
    db = tmp_path_factory.mktemp("site-wh") / "xxgk.duckdb"
    build_site_warehouse(folder, db, tmp_path_factory.mktemp("site-dbt"))
    return folder, db


@pytest.fixture(scope="session")
def folder_warehouse(tmp_path_factory):
    """One warehouse built by the full `xxgk run --from` path (Dagster, the parser, dbt) from
    the seed report and one that breaks identities, for the tests that read it (test_pipeline.py) and those that change it
    and put it back (test_ops_nochange.py): folder, settings, the run's report, and `restore`."""
    import dagster as dg

    from dagster_project.run import run_pipeline
    from scrapers.settings import Settings

    root = tmp_path_factory.mktemp("folder-warehouse")
    folder = root / "reports"
    folder.mkdir()
    shutil.copy2(SEED_REPORT, folder)
    # a report that breaks identities of its template: the summaries count it
    shutil.copy2(VIOLATING_REPORT, folder)
    settings = Settings.resolve(db=root / "wh" / "xxgk.duckdb", env={})
    with dg.instance_for_test() as instance:
        report = run_pipeline(settings, from_dir=str(folder), instance=instance)
    assert report.success and report.dbt_built, report
    for name in ("wh", "reports"):
        shutil.copytree(root / name, root / f"pristine-{name}", copy_function=shutil.copy2)

    def restore() -> None:
        """Put the warehouse, its archive and the folder back as the build left them (the
        folder keeps its path: the archive names its files by it)."""
        for name in ("wh", "reports"):
            shutil.rmtree(root / name)
            shutil.copytree(root / f"pristine-{name}", root / name, copy_function=shutil.copy2)

    return SimpleNamespace(folder=folder, settings=settings, db=settings.db, report=report, restore=restore)
