"""The new-sites sensor admits onboarding runs at the registrar's pace: every new site gets its
partition at once, runs are requested for as many as Namecheap's budget serves ahead of the
admitted sites that have not started, the oldest first; nothing is skipped or requested twice."""

from __future__ import annotations

import json

from factory.onboarding_eta import admission_room
from tests.onboarding.conftest import Stack, add_fleet, delegations


def test_the_room_is_what_namecheaps_budget_serves_ahead() -> None:
    assert admission_room(60) == 20  # 20 requests a minute, one a site (a new zone: set, nothing read)
    assert admission_room(1800) == 600  # 30 minutes of the per-minute window (the hour allows 700)
    assert admission_room(86400) == 8000  # the day's 8,000
    assert admission_room(0) is None  # no limit


def _start(stack: Stack, domains: list[str]) -> None:
    for domain in domains:
        stack.store.steps.start(stack.store.sites.get(domain).id, "dns_zone")


def test_a_large_import_is_admitted_as_the_budget_serves_it(stack: Stack, monkeypatch) -> None:
    monkeypatch.setenv("FACTORY_ONBOARDING_ADMIT_AHEAD_S", "60")  # twenty sites ahead
    import definitions
    from factory.config import load_settings

    stack.defs = definitions.build_definitions(load_settings())
    domains = add_fleet(stack.store, 24)

    first = stack.sensor_tick()
    assert sorted(stack.instance.get_dynamic_partitions("site")) == sorted(domains)  # all visible at once
    assert [r.partition_key for r in delegations(first)] == domains[:20]  # the oldest twenty
    assert all(r.tags["factory/trigger"] == "new-site" for r in first.run_requests)

    second = stack.sensor_tick(first.cursor)
    assert second.run_requests == []  # twenty admitted, none started: no room

    _start(stack, domains[:3])
    third = stack.sensor_tick(second.cursor)
    assert [r.partition_key for r in delegations(third)] == domains[20:23]

    _start(stack, domains[3:20])
    fourth = stack.sensor_tick(third.cursor)
    assert [r.partition_key for r in delegations(fourth)] == domains[23:]
    assert json.loads(fourth.cursor)["admitted"] == json.loads(fourth.cursor)["seq"]
    assert stack.sensor_tick(fourth.cursor).run_requests == []  # nobody twice


def test_without_a_limit_every_new_site_is_admitted_at_once(stack: Stack, monkeypatch) -> None:
    monkeypatch.setenv("FACTORY_ONBOARDING_ADMIT_AHEAD_S", "0")
    import definitions
    from factory.config import load_settings

    stack.defs = definitions.build_definitions(load_settings())
    domains = add_fleet(stack.store, 14)
    assert sorted(r.partition_key for r in delegations(stack.sensor_tick())) == sorted(domains)


def test_a_domain_deleted_then_added_again_later_is_onboarded_again(stack: Stack) -> None:
    from factory.store import NewSite

    domains = add_fleet(stack.store, 2)
    first = stack.sensor_tick()
    assert {r.run_key for r in delegations(first)} == set(domains)
    stack.store.sites.delete(domains[0])
    second = stack.sensor_tick(first.cursor)  # the deletion, in a tick of its own
    assert domains[0] not in stack.instance.get_dynamic_partitions("site")

    again = stack.store.sites.add_many([NewSite(domains[0], "CF_0", None, "Again")])[0]
    third = stack.sensor_tick(second.cursor)
    assert [(r.partition_key, r.run_key) for r in delegations(third)] == [(domains[0], f"{domains[0]}:{again.id}")]


def test_each_run_says_when_its_site_is_expected_live_and_what_it_waits_for(stack: Stack, monkeypatch,
                                                                             capfd) -> None:
    """What Dagit shows of the ETA: the runs' tags and the sensor's log line."""
    import datetime as dt

    monkeypatch.setenv("FACTORY_ONBOARDING_ADMIT_AHEAD_S", "0")
    monkeypatch.setenv("FACTORY_RATE_TIME_SCALE", "1")  # Namecheap's minute is a real minute
    import definitions
    from factory.config import load_settings

    stack.defs = definitions.build_definitions(load_settings())
    domains = add_fleet(stack.store, 24)
    before = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    runs = {r.partition_key: r.tags for r in stack.sensor_tick().run_requests}
    logged = capfd.readouterr().err  # the sensor's log (Dagster's console handler)

    live = {d: dt.datetime.strptime(runs[d]["factory/expected-live"], "%Y-%m-%d %H:%M UTC").replace(tzinfo=dt.UTC)
            for d in domains}
    assert all(live[d] > before for d in domains)
    # Namecheap serves twenty sites a minute (one call each): the last four wait a minute for it.
    assert {runs[d]["factory/eta-waits-for"] for d in domains[20:]} == {"namecheap"}
    assert min(live[d] for d in domains[20:]) >= max(live[d] for d in domains[:20])
    assert "24 queued site(s) expected live by" in logged
    assert "held back by the registrar's request budget (Namecheap)" in logged


def test_a_new_sites_delegation_runs_first_and_alone_then_the_rest_of_its_onboarding(stack: Stack) -> None:
    """Namecheap's pace is the fleet's critical path: each new site's `dns_zone` is a run of its
    own, queued ahead of the follow-ups and of every other site's builds; the rest of the job
    is a second run (one run per site at a time, so it starts after the delegation)."""
    from sensors.followup import FOLLOW_UP_PRIORITY

    domains = add_fleet(stack.store, 3)
    requests = stack.sensor_tick().run_requests
    job_assets = {k.to_user_string() for k in stack.job.asset_layer.executable_asset_keys}
    for domain in domains:
        first, rest = [r for r in requests if r.partition_key == domain]
        assert [k.to_user_string() for k in first.asset_selection] == ["dns_zone"]
        assert int(first.tags["dagster/priority"]) > int(FOLLOW_UP_PRIORITY)
        assert first.run_key == domain
        assert {k.to_user_string() for k in rest.asset_selection} == job_assets - {"dns_zone"}
        assert int(rest.tags.get("dagster/priority", "0")) < int(FOLLOW_UP_PRIORITY)
        assert rest.run_key == f"{domain}:after-delegation"
        assert first.tags["factory/trigger"] == rest.tags["factory/trigger"] == "new-site"


def test_sites_are_admitted_only_as_far_as_namecheaps_budget_has_room_now(stack: Stack, monkeypatch) -> None:
    """A delegation runs ahead of everything else: admitted while Namecheap's minute is spent, it
    would hold a run slot waiting for the budget. What runs and operators spent counts too."""
    from factory.config import load_settings
    from factory.vendors import namecheap
    from factory.vendors.budget import SharedRateLimiter

    monkeypatch.setenv("FACTORY_RATE_TIME_SCALE", "1")  # Namecheap's minute is a real minute
    monkeypatch.setenv("FACTORY_ONBOARDING_ADMIT_AHEAD_S", "1800")
    import definitions

    settings = load_settings()
    stack.defs = definitions.build_definitions(settings)
    limiter = SharedRateLimiter(stack.store.connection)
    limiter.acquire(namecheap.BUDGET, settings.namecheap_api_user, n=15)
    domains = add_fleet(stack.store, 10)
    first = stack.sensor_tick()
    assert [r.partition_key for r in delegations(first)] == domains[:5]  # 20 a minute, 15 spent
    _start(stack, domains[:5])
    limiter.acquire(namecheap.BUDGET, settings.namecheap_api_user, n=5)  # their delegations
    second = stack.sensor_tick(first.cursor)
    assert delegations(second) == []  # the minute is spent
    # 58 s later the minute (and its 1 s margin) has room by the sensor's next tick (5 s):
    # admitted now, not a tick later (Namecheap's windows slide: a late call delays every later one).
    with stack.store.db.connection() as conn:
        conn.execute("update public.rate_limit_hits set at = at - interval '58 seconds'")
    assert [r.partition_key for r in delegations(stack.sensor_tick(second.cursor))] == domains[5:]
