"""daily_analytics_schedule: one run over the look-back window as a partition range."""

from __future__ import annotations

import datetime as dt

import dagster as dg

import definitions
from factory.config import load_settings


def _schedule():
    settings = load_settings()
    assert settings.analytics_lookback_days == 3  # the default
    return definitions.build_definitions(settings).resolve_schedule_def("daily_analytics_schedule")


def test_schedule_requests_one_run_for_the_lookback_window():
    daily_analytics_schedule = _schedule()
    when = dt.datetime(2026, 5, 20, 5, 0, tzinfo=dt.UTC)
    with dg.DagsterInstance.local_temp() as instance:
        for i in range(30):  # every day of the repair window was filled
            day = dt.date(2026, 4, 20) + dt.timedelta(days=i)
            instance.report_runless_asset_event(dg.AssetMaterialization("daily_analytics", partition=day.isoformat()))
        with dg.build_schedule_context(instance=instance, scheduled_execution_time=when) as context:
            request = daily_analytics_schedule(context)
    assert isinstance(request, dg.RunRequest)
    assert request.tags["dagster/asset_partition_range_start"] == "2026-05-17"
    assert request.tags["dagster/asset_partition_range_end"] == "2026-05-19"  # yesterday: the last full day
    assert request.partition_key_range == dg.PartitionKeyRange("2026-05-17", "2026-05-19")
    assert daily_analytics_schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert daily_analytics_schedule.job_name == "analytics_job"


def test_schedule_fills_days_an_outage_left_missing():
    """A week without runs (and a failed day long ago): the next run starts at the oldest gap
    within FACTORY_ANALYTICS_REPAIR_DAYS, in one range."""
    daily_analytics_schedule = _schedule()
    when = dt.datetime(2026, 5, 20, 5, 0, tzinfo=dt.UTC)
    with dg.DagsterInstance.local_temp() as instance:
        filled = [dt.date(2026, 4, 20) + dt.timedelta(days=i) for i in range(30)]
        for day in filled:
            if day < dt.date(2026, 5, 10) and day != dt.date(2026, 4, 25):
                instance.report_runless_asset_event(dg.AssetMaterialization("daily_analytics",
                                                                            partition=day.isoformat()))
        with dg.build_schedule_context(instance=instance, scheduled_execution_time=when) as context:
            request = daily_analytics_schedule(context)
    assert request.partition_key_range == dg.PartitionKeyRange("2026-04-25", "2026-05-19")


def test_schedule_skips_before_the_first_day():
    daily_analytics_schedule = _schedule()
    when = dt.datetime(2000, 1, 1, 5, 0, tzinfo=dt.UTC)
    with dg.build_schedule_context(scheduled_execution_time=when) as context:
        assert isinstance(daily_analytics_schedule(context), dg.SkipReason)
