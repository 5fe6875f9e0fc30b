"""daily_analytics end to end: real Postgres, the sandbox over HTTP, a real Dagster instance."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from factory.analytics.refresh import sites_missing_days
from devtools.sandbox.traffic import gsc_metrics, matomo_visits
from tests.analytics.fleet import seed_fleet, set_created

TODAY = dt.date(2026, 5, 20)
KEY = dg.AssetKey("daily_analytics")


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def stored(stack, first, last) -> dict[tuple[str, dt.date], tuple]:
    domains = {s.id: s.domain for s in stack.store.sites.list()}
    return {(domains[r.site_id], r.date): (r.matomo_visits, r.gsc_clicks, r.gsc_impressions)
            for r in stack.store.analytics.rows(first, last)}


def expected_final(site, day) -> tuple:
    visits = matomo_visits(site.domain, day) if site.matomo else None
    if not site.gsc:
        return visits, None, None
    m = gsc_metrics(site.domain, day)  # final day: no row from Search Console is a real 0
    return visits, int(m["clicks"]) if m else 0, int(m["impressions"]) if m else 0


def failure_description(result) -> str:
    event = result.get_step_failure_events()[0]
    return event.step_failure_data.user_failure_data.description


def test_range_backfill_writes_the_simulators_numbers_once(analytics):
    sb = analytics.sandbox
    sb.today = TODAY
    fleet = seed_fleet(analytics.store, sb, 8, no_matomo_every=4, no_google_every=3)
    late = fleet[1]
    set_created(analytics.store, late.domain, dt.date(2026, 5, 6))  # onboarded mid-range
    first, last = dt.date(2026, 5, 1), dt.date(2026, 5, 10)

    result = analytics.run(first.isoformat(), last.isoformat())
    assert result.success
    # One run for the whole range: one Matomo call, one query per verified property.
    assert sb.count(vendor="matomo") == 1
    assert sb.count(vendor="google", path_contains="/searchAnalytics/query") == sum(s.gsc for s in fleet)
    want = {(s.domain, d): expected_final(s, d) for s in fleet for d in days(first, last)
            if s is not late or d >= dt.date(2026, 5, 6)}
    got = stored(analytics, first, last)
    assert got == want
    assert all(v[0] is None for (d, _), v in got.items() if not next(s for s in fleet if s.domain == d).matomo)

    events = result.asset_materializations_for_node("daily_analytics")
    assert {e.partition for e in events} == {d.isoformat() for d in days(first, last)}
    meta = events[-1].metadata
    assert meta["dagster/row_count"].value == len(want)
    assert meta["total_matomo_visits"].value == sum(v[0] or 0 for v in want.values())
    assert "| site |" in meta["top_sites"].value
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)

    # Re-running the same range gives the same rows, never duplicates.
    again = analytics.run(first.isoformat(), last.isoformat())
    assert again.success
    assert stored(analytics, first, last) == want
    assert len(analytics.store.analytics.rows(first, last)) == len(want)


def test_search_console_lag_partial_then_final(analytics):
    sb = analytics.sandbox
    sb.today = TODAY
    fleet = seed_fleet(analytics.store, sb, 3, no_google_every=0)
    first, last = TODAY - dt.timedelta(days=5), TODAY  # today has no Search Console data yet

    assert analytics.run(first.isoformat(), last.isoformat()).success
    got = stored(analytics, first, last)
    for site in fleet:
        for age, share in ((1, 0.3), (2, 0.6)):
            day = TODAY - dt.timedelta(days=age)
            full = gsc_metrics(site.domain, day)
            assert got[(site.domain, day)][1:] == (round(full["clicks"] * share), round(full["impressions"] * share))
        assert got[(site.domain, TODAY)][1:] == (None, None)  # not reported yet: NULL, not 0
        assert got[(site.domain, TODAY)][0] == matomo_visits(site.domain, TODAY)
        for age in (3, 4, 5):
            day = TODAY - dt.timedelta(days=age)
            assert got[(site.domain, day)] == expected_final(site, day)

    sb.today = TODAY + dt.timedelta(days=5)  # later runs see the final numbers
    assert analytics.run(first.isoformat(), last.isoformat()).success
    assert stored(analytics, first, last) == {(s.domain, d): expected_final(s, d) for s in fleet
                                               for d in days(first, last)}


def test_revoked_account_keeps_other_sites_and_reports_the_gap(analytics):
    sb = analytics.sandbox
    sb.today = TODAY
    store = analytics.store
    fleet = seed_fleet(store, sb, 6, accounts=2, no_google_every=0)
    first, last = dt.date(2026, 5, 1), dt.date(2026, 5, 3)
    assert analytics.run(first.isoformat(), last.isoformat()).success
    good = stored(analytics, first, last)

    account = store.gsc_accounts.get("seo1@example.com")
    store.gsc_accounts.update(account.id, refresh_token="revoked-sandbox-refresh-1")
    first, last = dt.date(2026, 5, 1), dt.date(2026, 5, 5)  # two new days as well
    result = analytics.run(first.isoformat(), last.isoformat())
    assert not result.success
    message = failure_description(result)
    lost = sorted(s.domain for s in fleet if s.account == 1)
    assert all(d in message for d in lost) and "seo1@example.com" in message and "revoked" in message
    assert "revoked-sandbox" not in message  # the token itself never appears

    got = stored(analytics, first, last)
    for site in fleet:
        for day in days(first, last):
            if site.account == 0:
                assert got[(site.domain, day)] == expected_final(site, day)
            elif day <= dt.date(2026, 5, 3):
                assert got[(site.domain, day)] == good[(site.domain, day)]  # kept, not NULLed
            else:
                assert got[(site.domain, day)] == (matomo_visits(site.domain, day), None, None)

    store.gsc_accounts.update(account.id, refresh_token="sandbox-refresh-1-abcdef")
    assert analytics.run(first.isoformat(), last.isoformat()).success  # the re-run fills it in
    assert stored(analytics, first, last) == {(s.domain, d): expected_final(s, d) for s in fleet
                                               for d in days(first, last)}


def test_check_finds_sites_without_rows(analytics):
    analytics.sandbox.today = TODAY
    fleet = seed_fleet(analytics.store, analytics.sandbox, 2)
    day = dt.date(2026, 5, 1)
    assert analytics.run(day.isoformat(), day.isoformat()).success
    assert sites_missing_days(analytics.store, day, day) == []
    with analytics.store.connection() as conn:
        conn.execute("delete from public.daily_analytics where site_id = (select id from public.sites where domain = %s)",
                     (fleet[0].domain,))
    assert sites_missing_days(analytics.store, day, day) == [(fleet[0].domain, 1)]


def test_matomo_failure_keeps_stored_visits_and_still_writes_search_console(analytics, monkeypatch):
    analytics.sandbox.today = TODAY
    fleet = seed_fleet(analytics.store, analytics.sandbox, 4)
    first, last = dt.date(2026, 5, 1), dt.date(2026, 5, 3)
    assert analytics.run(first.isoformat(), "2026-05-02").success
    good = stored(analytics, first, last)

    monkeypatch.setenv("MATOMO_TOKEN_AUTH", "revoked-matomo-token")
    import definitions
    from factory.config import load_settings

    analytics.defs = definitions.build_definitions(load_settings())
    result = analytics.run(first.isoformat(), last.isoformat())
    assert not result.success
    message = failure_description(result)
    assert "Matomo visits 2026-05-01..2026-05-03" in message and "revoked-matomo" not in message
    got = stored(analytics, first, last)
    for site in fleet:
        for day in days(first, last):
            visits = good[(site.domain, day)][0] if day < last else None  # kept, never NULLed
            assert got[(site.domain, day)] == (visits, *expected_final(site, day)[1:])


def test_daily_schedule_runs_converge_to_final_numbers(analytics):
    """Day after day, the schedule's look-back re-reads each day until Search Console has finalised it."""
    daily_analytics_schedule = analytics.defs.resolve_schedule_def("daily_analytics_schedule")

    fleet = seed_fleet(analytics.store, analytics.sandbox, 2, no_google_every=0)
    for offset in range(3):
        today = TODAY + dt.timedelta(days=offset)
        analytics.sandbox.today = today
        when = dt.datetime.combine(today, dt.time(5), dt.UTC)
        with dg.build_schedule_context(instance=analytics.instance, scheduled_execution_time=when) as context:
            request = daily_analytics_schedule(context)
        assert analytics.run(request.tags["dagster/asset_partition_range_start"],
                             request.tags["dagster/asset_partition_range_end"]).success
    first, last = TODAY - dt.timedelta(days=3), today - dt.timedelta(days=3)  # read for the last time at age 3
    assert stored(analytics, first, last) == {(s.domain, d): expected_final(s, d) for s in fleet
                                              for d in days(first, last)}


def test_a_range_before_every_site_was_added_succeeds_and_writes_nothing(analytics):
    """A fleet onboarded today, and the days before it (what the schedule's repair window asks
    for): no site has rows there, and the run says so instead of failing (it failed in pandas,
    merging an empty grid's float64 site ids with Search Console's)."""
    sb = analytics.sandbox
    sb.today = TODAY
    seed_fleet(analytics.store, sb, 3, created=dt.date(2026, 5, 20))
    result = analytics.run("2026-05-10", "2026-05-16")
    assert result.success, failure_description(result)
    assert analytics.store.analytics.rows(dt.date(2026, 5, 10), dt.date(2026, 5, 16)) == []
    assert sb.count(vendor="google", path_contains="/searchAnalytics/query") == 0
