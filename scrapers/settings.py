"""Where things live and how the pipeline behaves, resolved once per command or run.

Each setting is an explicit value (a command-line option, a launchpad field), else its
environment variable, else a default. `Settings.resolve` applies that rule in one place;
everything downstream receives the resolved `Settings` and never reads the environment itself.
The one environment variable set for another program is XXGK_DB for dbt's profile.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "seeds"
DBT_DIR = REPO_ROOT / "dbt"
DEFAULT_DB = REPO_ROOT / "data" / "xxgk.duckdb"
DEFAULT_REGISTRY = SEEDS_DIR / "portals.csv"
# The instance config every per-warehouse DAGSTER_HOME starts from.
DAGSTER_YAML = REPO_ROOT / "dagster_home" / "dagster.yaml"

# the 2008 条例 took effect on 1 May 2008 (dbt's first_report_year says the same)
FIRST_REPORT_YEAR = 2008
DEFAULT_RATE = 1.0  # requests per second per host
DEFAULT_WAIT_S = 600.0  # how long a writer waits for another process to release the warehouse


class SettingsError(ValueError):
    """A setting that cannot be used (an unparsable number, a year that is not one)."""


def _path(value: str | os.PathLike) -> Path:
    return Path(value).expanduser().resolve()


def warehouse_path(explicit: str | os.PathLike | None = None, env: Mapping[str, str] = os.environ) -> Path:
    """The DuckDB file: an explicit path wins, then $XXGK_DB, then data/xxgk.duckdb."""
    return _path(explicit or env.get("XXGK_DB") or DEFAULT_DB)


def registry_path(explicit: str | os.PathLike | None = None, env: Mapping[str, str] = os.environ) -> Path:
    """The portal registry: an explicit path wins, then $XXGK_REGISTRY, then seeds/portals.csv."""
    return _path(explicit or env.get("XXGK_REGISTRY") or DEFAULT_REGISTRY)


def archive_path(explicit: str | os.PathLike | None = None, db: str | os.PathLike | None = None,
                 env: Mapping[str, str] = os.environ) -> Path:
    """The crawl archive folder (WARC files): an explicit path wins, then $XXGK_ARCHIVE, then
    `archive/` beside the warehouse file."""
    chosen = explicit or env.get("XXGK_ARCHIVE")
    return _path(chosen) if chosen else warehouse_path(db, env).parent / "archive"


def dagster_home_path(db: Path, env: Mapping[str, str] = os.environ) -> Path:
    """$DAGSTER_HOME when the operator set one, else a home beside the warehouse file
    (`data/xxgk.dagster/` for `data/xxgk.duckdb`): two warehouses never share a run history."""
    chosen = env.get("DAGSTER_HOME")
    return _path(chosen) if chosen else db.with_name(db.stem + ".dagster")


def debug_wanted(env: Mapping[str, str] = os.environ) -> bool:
    """XXGK_LOG_LEVEL=DEBUG: what --debug asks for, for every command."""
    return env.get("XXGK_LOG_LEVEL", "").strip().upper() == "DEBUG"


def dbt_environment(db: Path) -> dict[str, str]:
    """What dbt's profile (dbt/profiles.yml) reads from the environment: the warehouse path,
    the one setting that crosses into another program that way."""
    return {"XXGK_DB": str(db)}


def _years(value: str | Iterable[int] | None) -> tuple[int, ...]:
    if value is None:
        return ()
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    years = []
    for item in items:
        try:
            year = int(item)
        except (TypeError, ValueError):
            raise SettingsError(f"{item!r} is not a year") from None
        last = date.today().year
        if not FIRST_REPORT_YEAR <= year <= last:
            raise SettingsError(f"{year} is not a report year ({FIRST_REPORT_YEAR} to {last})")
        years.append(year)
    return tuple(sorted(set(years)))


def _number(name: str, value: str | float | None, default: float) -> float:
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{name} must be a number, not {value!r}") from None
    if number < 0:
        raise SettingsError(f"{name} must be 0 or more, not {number:g}")
    return number


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know about where and how, decided once."""

    db: Path = field(default_factory=lambda: warehouse_path())
    registry: Path = field(default_factory=lambda: registry_path())
    archive: Path = field(default_factory=lambda: archive_path())
    rate: float = DEFAULT_RATE  # requests per second per host, 0 = no limit
    years: tuple[int, ...] = ()  # report years to look for; empty = every year
    wait_s: float = DEFAULT_WAIT_S  # how long to wait for the warehouse file
    dagster_home: Path = field(default_factory=lambda: dagster_home_path(warehouse_path()))
    inbox: Path = field(default_factory=lambda: warehouse_path().parent / "inbox")  # the drop folder
    schedules_on: bool = False  # schedules and sensors start running (XXGK_SCHEDULES=on)

    @classmethod
    def resolve(
        cls,
        *,
        db: str | os.PathLike | None = None,
        registry: str | os.PathLike | None = None,
        archive: str | os.PathLike | None = None,
        rate: float | str | None = None,
        years: Iterable[int] | str | None = None,
        wait: float | str | None = None,
        env: Mapping[str, str] = os.environ,
    ) -> Settings:
        """Explicit values first, then XXGK_DB, XXGK_REGISTRY, XXGK_ARCHIVE, XXGK_RATE,
        XXGK_YEARS ("2023 2024"), XXGK_WAIT, XXGK_INBOX, XXGK_SCHEDULES and DAGSTER_HOME, then
        the defaults."""
        wh = warehouse_path(db, env)
        chosen_years = _years(years) if years else _years(env.get("XXGK_YEARS"))
        return cls(
            db=wh,
            registry=registry_path(registry, env),
            archive=archive_path(archive, wh, env),
            rate=_number("--rate", rate if rate is not None else env.get("XXGK_RATE"), DEFAULT_RATE),
            years=chosen_years,
            wait_s=_number("--wait", wait if wait is not None else env.get("XXGK_WAIT"), DEFAULT_WAIT_S),
            dagster_home=dagster_home_path(wh, env),
            inbox=_path(env["XXGK_INBOX"]) if env.get("XXGK_INBOX") else wh.parent / "inbox",
            schedules_on=env.get("XXGK_SCHEDULES", "").strip().lower() in ("on", "1", "true", "yes"),
        )

    @property
    def warehouse_tag(self) -> str:
        """A short stable name of the warehouse file, for run tags and per-warehouse folders."""
        return hashlib.sha256(str(self.db).encode()).hexdigest()[:12]

    @property
    def dbt_target(self) -> Path:
        """dbt's target folder for this warehouse, beside it: one folder reused by every build
        (under the warehouse's lock), so partial parsing stays valid and nothing piles up per run."""
        return self.db.with_name(self.db.stem + ".dbt")

    @property
    def log_dir(self) -> Path:
        """Where the runs' own logs go (dbt's log, the captured output of `xxgk run`), rotated."""
        return self.db.with_name(self.db.stem + ".logs")
