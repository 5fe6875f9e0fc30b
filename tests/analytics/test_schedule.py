"""daily_analytics_schedule: one run over the look-back window as a partition range."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from schedules.analytics import LOOKBACK_DAYS, daily_analytics_schedule


def test_schedule_requests_one_run_for_the_lookback_window():
    when = dt.datetime(2026, 5, 20, 5, 0, tzinfo=dt.UTC)
    with dg.build_schedule_context(scheduled_execution_time=when) as context:
        request = daily_analytics_schedule(context)
    assert isinstance(request, dg.RunRequest)
    assert LOOKBACK_DAYS == 3
    assert request.tags["dagster/asset_partition_range_start"] == "2026-05-17"
    assert request.tags["dagster/asset_partition_range_end"] == "2026-05-19"  # yesterday: the last full day
    assert request.partition_key_range == dg.PartitionKeyRange("2026-05-17", "2026-05-19")
    assert daily_analytics_schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert daily_analytics_schedule.job_name == "analytics_job"


def test_schedule_skips_before_the_first_day():
    when = dt.datetime(2000, 1, 1, 5, 0, tzinfo=dt.UTC)
    with dg.build_schedule_context(scheduled_execution_time=when) as context:
        assert isinstance(daily_analytics_schedule(context), dg.SkipReason)
