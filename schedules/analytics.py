"""`daily_analytics_schedule`: every day, one run over the last days of `daily_analytics`.

Search Console reports a day 2-3 days late and revises it until final (the sandbox: partial at
today-1 and today-2, final from today-3), so each run re-reads the last days
(FACTORY_ANALYTICS_LOOKBACK_DAYS); the oldest day of the window is final when it is read for
the last time. Days further back that were never materialized (an outage longer than the
look-back, a failed run) are filled too, as far back as FACTORY_ANALYTICS_REPAIR_DAYS: the run's
range starts at the oldest missing day, so a long outage leaves no permanent gap.
"""

import datetime as dt

import dagster as dg


def lookback_range(daily: dg.DailyPartitionsDefinition, now: dt.datetime, days: int) -> tuple[str, str] | None:
    """(first, last) partition keys: the `days` complete days before `now` that exist."""
    keys = daily.get_partition_keys(current_time=now)
    if not keys:
        return None
    window = keys[-days:]
    return window[0], window[-1]


def oldest_missing(daily: dg.DailyPartitionsDefinition, now: dt.datetime, days: int,
                   materialized: set[str]) -> str | None:
    """The oldest of the last `days` complete days that has no materialization."""
    keys = daily.get_partition_keys(current_time=now)[-days:]
    return next((k for k in keys if k not in materialized), None)


def daily_analytics_schedule(job: "dg.UnresolvedAssetJobDefinition", daily: dg.DailyPartitionsDefinition,
                             lookback_days: int, repair_days: int) -> dg.ScheduleDefinition:
    @dg.schedule(name="daily_analytics_schedule", job=job, cron_schedule="0 5 * * *", execution_timezone="UTC",
                 default_status=dg.DefaultScheduleStatus.RUNNING)
    def schedule(context: dg.ScheduleEvaluationContext):
        """One run for the look-back window, as a single partition range (not one run per day)."""
        keys = lookback_range(daily, context.scheduled_execution_time, lookback_days)
        if keys is None:
            return dg.SkipReason("no analytics day has ended yet")
        first, last = keys
        materialized = context.instance.get_materialized_partitions(dg.AssetKey("daily_analytics"))
        missing = oldest_missing(daily, context.scheduled_execution_time, repair_days, materialized)
        if missing is not None and missing < first:
            first = missing
        return dg.RunRequest(run_key=f"daily_analytics:{first}..{last}", tags={
            "dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": last,
        })

    return schedule
