"""When the portals are crawled: daily in the publication season, weekly outside it, and once a
year a full re-crawl that fetches everything again.

The 条例 has offices publish their report for the past year by the end of January (departments
and sub-district offices) or by the end of March (district governments); late and corrected
reports trickle in until April. So from 15 January to 15 April a new report should reach the
warehouse within a day, and the rest of the year a weekly look is enough.
"""

from datetime import date, datetime

import dagster as dg

from dagster_project.jobs import refresh_district
from dagster_project.partitions import district_partitions

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


def district_run_requests(context: dg.ScheduleEvaluationContext, trigger: str, refresh: bool = False) -> list[dg.RunRequest]:
    """One run per district: a portal that is slow or down holds up only its own run."""
    run_config = {"ops": {"portal_crawl": {"config": {"refresh": refresh}}}}
    return [
        dg.RunRequest(
            run_key=district,
            partition_key=district,
            run_config=run_config,
            tags={"xxgk/trigger": trigger, "xxgk/refresh": str(refresh).lower()},
        )
        for district in district_partitions.get_partition_keys(dynamic_partitions_store=context.instance)
    ]


def _tick_day(context: dg.ScheduleEvaluationContext) -> date:
    when = context.scheduled_execution_time or datetime.now()
    return when.date()


@dg.schedule(
    cron_schedule=SEASON_DAILY_CRON,
    job=refresh_district,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every day from 15 January to 15 April, while offices publish: each district crawled, the warehouse rebuilt.",
)
def publication_season_daily(context: dg.ScheduleEvaluationContext):
    return district_run_requests(context, "publication_season_daily")


@dg.schedule(
    cron_schedule=OFF_SEASON_WEEKLY_CRON,
    job=refresh_district,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every Monday from 16 April to 14 January: each district crawled, the warehouse rebuilt.",
)
def off_season_weekly(context: dg.ScheduleEvaluationContext):
    day = _tick_day(context)
    if in_season(day):
        return dg.SkipReason(f"{day} is in the publication season; publication_season_daily runs every day")
    return district_run_requests(context, "off_season_weekly")


@dg.schedule(
    cron_schedule=YEARLY_REFRESH_CRON,
    job=refresh_district,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="On 1 January: every district crawled again from scratch (refresh), catching replaced and moved reports.",
)
def yearly_full_recrawl(context: dg.ScheduleEvaluationContext):
    return district_run_requests(context, "yearly_full_recrawl", refresh=True)


all_schedules = [publication_season_daily, off_season_weekly, yearly_full_recrawl]
