"""End to end: `sites` rows become live, verified, tracked sites through the sensor and the job,
against the simulators over HTTP, a real sshd and real Postgres."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.onboarding.conftest import Stack, add_fleet, delegations

# Every run is a real Dagster run on Postgres: slow on a busy 2-core machine.
pytestmark = pytest.mark.timeout(1800)


def _creates(stack: Stack) -> Counter:
    counts: Counter = Counter()
    for r in stack.sandbox.requests:
        if r["status"] and r["status"] < 300 and r["method"] == "POST":
            if r["vendor"] == "cloudflare":
                counts["cloudflare_post"] += 1
            if r["vendor"] == "google" and "webResource" in r["path"]:
                counts["google_verify"] += 1
        if r["vendor"] == "google" and r["method"] == "PUT":
            counts["gsc_add"] += 1
    return counts


def assert_no_duplicates(stack: Stack) -> None:
    state = stack.sandbox.state
    zones = Counter(z["name"] for z in state["cloudflare"]["zones"])
    assert all(n == 1 for n in zones.values()), zones
    records = Counter((r["zone_id"], r["type"], r["name"]) for r in state["cloudflare"]["records"])
    assert all(n == 1 for n in records.values()), [k for k, n in records.items() if n > 1]
    matomo = Counter(s["main_url"] for s in state["matomo"]["sites"])
    assert all(n == 1 for n in matomo.values()), matomo


def test_twenty_sites_onboard_through_one_sensor_tick(stack: Stack) -> None:
    domains = add_fleet(stack.store, 20)
    result = stack.sensor_tick()
    assert sorted(r.partition_key for r in delegations(result)) == sorted(domains)
    assert {r.run_key for r in delegations(result)} == set(domains)
    assert sorted(stack.instance.get_dynamic_partitions("site")) == sorted(domains)

    outcomes = stack.run_all([r.partition_key for r in delegations(result)])
    assert all(outcomes.values()), [d for d, ok in outcomes.items() if not ok]

    state = stack.sandbox.state
    zones = {z["name"]: z for z in state["cloudflare"]["zones"]}
    for site in stack.store.sites.list():
        assert site.status_dns == "active" and site.status_hosting == "active", site
        assert site.error_message is None
        assert site.matomo_site_id is not None
        assert site.hosting_doc_root == f"{stack.sshd.home_root}/{site.hosting_site_user}/htdocs/{site.domain}"
        assert zones[site.domain]["status"] == "active"
        assert site.cloudflare_zone_id == zones[site.domain]["id"]
        assert site.hosting_certificate is True
        if site.gsc_account_id is None:
            assert site.gsc_verification_status == "pending"
        else:
            assert site.gsc_verification_status == "verified"
            assert site.gsc_property == f"sc-domain:{site.domain}"
    assert len(stack.clpctl_sites()) == 20
    assert_no_duplicates(stack)

    # The next tick finds nothing new.
    again = stack.sensor_tick(result.cursor)
    assert again.run_requests == [] and again.dynamic_partitions_requests == []

    # A second materialization creates nothing new at any vendor.
    before = _creates(stack)
    zones_before, records_before = len(state["cloudflare"]["zones"]), len(state["cloudflare"]["records"])
    assert all(stack.run_all(domains).values())
    after_state = stack.sandbox.state
    assert len(after_state["cloudflare"]["zones"]) == zones_before
    assert len(after_state["cloudflare"]["records"]) == records_before
    assert len(after_state["matomo"]["sites"]) == 20
    assert len(stack.clpctl_sites()) == 20
    after = _creates(stack)
    assert after["cloudflare_post"] == before["cloudflare_post"]
    assert after["google_verify"] == before["google_verify"]
    assert stack.sandbox.count(vendor="namecheap") == 20  # once per site: active zones need no call


def test_with_injected_faults_everything_converges_without_duplicates(stack: Stack) -> None:
    domains = add_fleet(stack.store, 6)
    stack.sandbox.set_faults("all", rate_429=0.1, rate_5xx=0.1, rate_drop=0.05, seed=7)
    result = stack.sensor_tick()
    outcomes = stack.run_all([r.partition_key for r in delegations(result)])
    failed = [d for d, ok in outcomes.items() if not ok]
    stack.sandbox.clear_faults()
    for domain in failed:  # what the operator (or a run retry) does: materialize again
        assert stack.run(domain).success
    assert stack.sandbox.count(fault="429") + stack.sandbox.count(fault="5xx") > 0
    for site in stack.store.sites.list():
        assert site.status_dns == "active" and site.status_hosting == "active"
        assert site.matomo_site_id is not None and site.error_message is None
    assert len(stack.clpctl_sites()) == len(domains)
    assert_no_duplicates(stack)


def test_one_bad_site_fails_alone_with_a_clear_message(stack: Stack) -> None:
    add_fleet(stack.store, 1)
    stack.store.cloudflare_accounts.add("revoked@example.com", "CF_Revoked", "revoked-token-abcdef")
    from factory.store import NewSite

    stack.store.sites.add(NewSite("victim.com", "CF_Revoked"))
    stack.store.sites.add(NewSite("notmine-domain.com", "CF_0"))
    result = stack.sensor_tick()
    outcomes = stack.run_all([r.partition_key for r in delegations(result)])
    assert outcomes.pop("victim.com") is False
    assert outcomes.pop("notmine-domain.com") is False
    assert all(outcomes.values())
    victim = stack.store.sites.get("victim.com")
    assert victim.status_dns == "failed" and "token was refused" in victim.error_message
    assert "revoked-token" not in victim.error_message
    notmine = stack.store.sites.get("notmine-domain.com")
    assert notmine.status_dns == "failed" and "not in the Namecheap account" in notmine.error_message


def test_deleted_site_loses_its_partition(stack: Stack) -> None:
    add_fleet(stack.store, 3)
    first = stack.sensor_tick()
    stack.store.sites.delete("site001.com")
    second = stack.sensor_tick(first.cursor)
    assert second.run_requests == []
    assert "site001.com" not in stack.instance.get_dynamic_partitions("site")
    assert len(stack.instance.get_dynamic_partitions("site")) == 2


def test_a_run_killed_midway_converges_when_run_again(stack: Stack) -> None:
    import multiprocessing
    import time

    from devtools.local_runs import run_one
    from tests.onboarding.conftest import ONBOARDING

    add_fleet(stack.store, 1)
    stack.sensor_tick()
    stack.sandbox.latency_s = 0.3  # slow enough to be killed between the zone and its records
    process = multiprocessing.get_context("spawn").Process(
        target=run_one, args=(stack.instance_dir, stack.instance_overrides, "onboard_site_job",
                              [k.path[-1] for k in ONBOARDING], "site000.com"))
    process.start()
    deadline = time.monotonic() + 120
    while stack.sandbox.count(vendor="cloudflare", method="POST", path_contains="/zones", status=200) == 0:
        assert time.monotonic() < deadline and process.is_alive(), "the run never reached Cloudflare"
        time.sleep(0.05)
    process.kill()
    process.join()
    stack.sandbox.latency_s = 0.0
    assert stack.store.sites.get("site000.com").status_dns == "pending"  # killed mid-way

    assert stack.run("site000.com").success
    site = stack.store.sites.get("site000.com")
    assert site.status_dns == "active" and site.status_hosting == "active" and site.matomo_site_id
    assert_no_duplicates(stack)
    assert len([z for z in stack.sandbox.state["cloudflare"]["zones"] if z["name"] == "site000.com"]) == 1
