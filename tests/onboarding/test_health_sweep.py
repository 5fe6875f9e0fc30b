"""Fleet health on a real onboarded fleet (simulators over HTTP, sshd, Postgres, Dagster): a
converged fleet has no problem; drift in each layer, the registrar's name servers, the domain's
registration and a failed step are each found once, kept open while they last (no new row, same
first sighting), resolved when gone (history kept) — and a repair re-applies exactly the plan."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest
from dagster._core.events import DagsterEventType

from devtools.sandbox.env import NAMECHEAP_USER
from factory.health import checks
from factory.health.repair import drifted, repair
from factory.health.sweep import sweep
from tests.onboarding.conftest import Stack
from tests.onboarding.test_fleet_changes import InProcessRuns, cloudflare_sdk, context, drift_record, onboarded

pytestmark = pytest.mark.timeout(1800)


def open_problems(stack: Stack) -> set[tuple[str, str, str]]:
    return {(p.domain, p.check_kind, p.subject) for p in stack.store.health.problems()}


def test_sweep_finds_each_kind_once_keeps_it_open_and_resolves_it_after_repair(stack: Stack) -> None:
    domains = onboarded(stack, 8)
    ctx = context(stack)
    first = sweep(ctx, registrar=True)
    assert first.findings == [] and first.errors == [] and stack.store.health.problems() == []
    assert len(first.sites) == 8

    a, b, c, d, e, f, g, h = domains
    drift_record(stack, a)                                               # a record changed by hand
    sdk, site_b = cloudflare_sdk(stack, b)                               # a record deleted
    [www] = sdk.dns.records.list(zone_id=site_b.cloudflare_zone_id, type="A", name={"exact": f"www.{b}"}).result
    sdk.dns.records.delete(www.id, zone_id=site_b.cloudflare_zone_id)
    ctx.clients.namecheap().set_nameservers(c, ["ns1.elsewhere.example", "ns2.elsewhere.example"])  # moved
    del stack.sandbox.matomo.sites[stack.store.sites.get(d).matomo_site_id]  # the Matomo site deleted
    ctx.clients.cloudpanel().delete_site(e)                              # the hosting site deleted
    today = dt.datetime.now(dt.UTC).date()
    stack.sandbox.namecheap.set_domain(NAMECHEAP_USER, f, expires=today + dt.timedelta(days=10))
    stack.sandbox.namecheap.set_domain(NAMECHEAP_USER, g, auto_renew=False)
    stack.store.steps.start(stack.store.sites.get(h).id, "site_content")
    stack.store.steps.fail(stack.store.sites.get(h).id, "site_content", f"Directus refused {h}: HTTP 403")

    # The hourly sweep, as Dagster runs it: the registrar's name servers are read daily, not hourly.
    run = stack.defs.resolve_job_def("fleet_health_sweep").execute_in_process(
        instance=stack.instance, run_config={"ops": {"sweep_fleet": {"config": {"registrar": False}}}})
    assert run.success
    expected = {(a, "drift.dns", f"A www.{a}"), (b, "drift.dns", f"A www.{b}"), (d, "drift.matomo", f"Matomo site https://{d}"),
                (e, "drift.hosting", f"site {e}"), (e, "drift.hosting", "certificate"), (f, checks.DOMAIN_EXPIRY, f), (g, checks.AUTO_RENEW, g),
                (h, checks.STEP_FAILED, "site_content")}
    assert open_problems(stack) == expected
    [output] = [e for e in run.all_events if e.event_type_value == "STEP_OUTPUT"]
    assert output.event_specific_data.metadata["new_problems"].value == 8
    evaluations: dict = {}  # the site_health asset's checks per partition, newest first
    for record in stack.instance.get_event_records(
            dg.EventRecordsFilter(event_type=DagsterEventType.ASSET_CHECK_EVALUATION), limit=100):
        check = record.event_log_entry.dagster_event.event_specific_data
        if check.asset_key == dg.AssetKey("site_health"):
            evaluations.setdefault((check.check_name, check.partition), (check.passed, check.severity.value))
    assert evaluations[("dns", a)] == (False, "ERROR") and evaluations[("matomo", d)] == (False, "ERROR")
    assert evaluations[("registration", f)] == (False, "WARN") and evaluations[("steps", h)] == (False, "ERROR")
    assert ("dns", c) not in evaluations  # not seen hourly: nothing changed for it
    daily = sweep(ctx, registrar=True)
    expected.add((c, checks.NAMESERVERS, "registrar name servers"))
    assert open_problems(stack) == expected
    assert len(daily.recorded.opened) == 1 and len(daily.recorded.still_open) == 8 and daily.recorded.resolved == []
    by_key = {(p.domain, p.check_kind): p for p in stack.store.health.problems()}
    assert by_key[(a, "drift.dns")].observed == "192.0.2.99 (proxied)"
    assert by_key[(a, "drift.dns")].expected == "203.0.113.10 (proxied)"
    assert by_key[(f, checks.DOMAIN_EXPIRY)].status == "warn" and "(10 days)" in by_key[(f, checks.DOMAIN_EXPIRY)].observed
    assert by_key[(h, checks.STEP_FAILED)].status == "fail" and h not in by_key[(h, checks.STEP_FAILED)].cause
    assert a not in by_key[(a, "drift.dns")].cause  # the cause names no site: sites sharing it group
    first_seen = {k: p.first_seen for k, p in by_key.items()}

    again = sweep(ctx)  # seen again: same rows, same first sighting; the name servers are still read
    assert again.recorded.opened == [] and again.recorded.resolved == []
    assert {(p.domain, p.check_kind): p.first_seen for p in stack.store.health.problems()} == first_seen
    assert len(stack.store.health.problems(open_only=False)) == len(expected)  # no new rows
    assert open_problems(stack) == expected

    assert drifted(ctx) == {a: ("dns",), b: ("dns",), c: ("dns",), d: ("matomo",), e: ("hosting",)}
    runs = InProcessRuns(stack)
    shown = repair(ctx, runs, [], "ops@example.com", all_sites=True)
    assert shown.needs_confirmation and runs.launched == []  # 5 sites: above the guard (1 of 8)
    assert sorted(shown.plan.affected()) == [a, b, c, d, e]
    outcome = repair(ctx, runs, [], "ops@example.com", confirm=shown.plan_hash)
    assert outcome.refused is None, outcome.refused
    assert sorted((x.domain, x.steps) for x in outcome.launched) == [
        (a, ("dns_zone",)), (b, ("dns_zone",)), (c, ("dns_zone",)), (d, ("matomo_site",)), (e, ("hosting_site",))]
    assert all(tags["factory/trigger"] == "repair" for _, _, tags in runs.launched)

    stack.sandbox.namecheap.set_domain(NAMECHEAP_USER, g, auto_renew=True)
    after = sweep(ctx)
    assert open_problems(stack) == {(f, checks.DOMAIN_EXPIRY, f), (h, checks.STEP_FAILED, "site_content")}
    assert len(after.recorded.resolved) == 7
    history = stack.store.health.problems(domain=a, open_only=False)
    assert [(p.check_kind, p.resolved_at is not None) for p in history] == [("drift.dns", True)]
    summary = stack.store.health.summary()
    assert summary["open_problems"] == 2 and summary["sites_affected"] == 2
