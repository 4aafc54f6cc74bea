"""When the portals are crawled: daily in the publication season, weekly outside it, and once a
year a full re-crawl that fetches everything again.

The 条例 has offices publish their report for the past year by the end of January (departments
and sub-district offices) or by the end of March (district governments); late and corrected
reports trickle in until April. So from 15 January to 15 April a new report should reach the
warehouse within a day, and the rest of the year a weekly look is enough.

Each tick is one run of `crawl_portals` over every district of the registry (the portals are
crawled in parallel, each at its own polite rate); `build_after_documents` (sensors.py) then
builds the warehouse once, if the tick fetched anything new.

The schedules are off until an operator turns them on (`XXGK_SCHEDULES=on`, or in the UI):
a `make dev` left running on a laptop must not crawl sixteen government portals at 03:00.
"""

from datetime import date, datetime

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from dagster_project.jobs import crawl_portals

TIMEZONE = "Asia/Shanghai"  # the portals' time: crawl while their users sleep
SEASON = ((1, 15), (4, 15))  # (month, day) of the first and the last day of the publication season

# 03:00 every day from 15 January to 15 April (cron has no date ranges across months: three lines)
SEASON_DAILY_CRON = ["0 3 15-31 1 *", "0 3 * 2,3 *", "0 3 1-15 4 *"]
# 03:00 on Mondays of the months that have off-season days; the in-season Mondays of January
# and April are skipped by the schedule itself
OFF_SEASON_WEEKLY_CRON = ["0 3 * 1 1", "0 3 * 4-12 1"]
# 01:00 on 1 January, before the season: everything fetched again (conditional requests),
# which catches reports that were replaced or moved since they were first fetched
YEARLY_REFRESH_CRON = "0 1 1 1 *"


def in_season(day: date) -> bool:
    (m1, d1), (m2, d2) = SEASON
    return (m1, d1) <= (day.month, day.day) <= (m2, d2)


def partition_range_tags(keys: list[str]) -> dict[str, str]:
    """The tags that make one run materialise the partitions from keys[0] to keys[-1]."""
    return {ASSET_PARTITION_RANGE_START_TAG: keys[0], ASSET_PARTITION_RANGE_END_TAG: keys[-1]}


def _tick_day(context: dg.ScheduleEvaluationContext) -> date:
    when = context.scheduled_execution_time or datetime.now()
    return when.date()


def build_schedules(districts: list[str], running: bool) -> list[dg.ScheduleDefinition]:
    """The three schedules over these districts; `running` is their default status."""
    status = dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED

    def tick(trigger: str, refresh: bool = False) -> dg.RunRequest | dg.SkipReason:
        if not districts:
            return dg.SkipReason("the portal registry lists no district")
        return dg.RunRequest(
            run_config={"ops": {"portal_crawl": {"config": {"refresh": refresh}}}},
            tags={**partition_range_tags(districts), "xxgk/trigger": trigger, "xxgk/refresh": str(refresh).lower()},
        )

    @dg.schedule(
        cron_schedule=SEASON_DAILY_CRON, job=crawl_portals, execution_timezone=TIMEZONE, default_status=status,
        description="Every day from 15 January to 15 April, while offices publish: every district crawled, the warehouse rebuilt if anything is new.",
    )
    def publication_season_daily(context: dg.ScheduleEvaluationContext):
        return tick("publication_season_daily")

    @dg.schedule(
        cron_schedule=OFF_SEASON_WEEKLY_CRON, job=crawl_portals, execution_timezone=TIMEZONE, default_status=status,
        description="Every Monday from 16 April to 14 January: every district crawled, the warehouse rebuilt if anything is new.",
    )
    def off_season_weekly(context: dg.ScheduleEvaluationContext):
        day = _tick_day(context)
        if in_season(day):
            return dg.SkipReason(f"{day} is in the publication season; publication_season_daily runs every day")
        return tick("off_season_weekly")

    @dg.schedule(
        cron_schedule=YEARLY_REFRESH_CRON, job=crawl_portals, execution_timezone=TIMEZONE, default_status=status,
        description="On 1 January: every district crawled again from scratch (refresh), catching replaced and moved reports.",
    )
    def yearly_full_recrawl(context: dg.ScheduleEvaluationContext):
        return tick("yearly_full_recrawl", refresh=True)

    return [publication_season_daily, off_season_weekly, yearly_full_recrawl]
