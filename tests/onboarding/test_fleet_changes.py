"""Safe fleet changes on a real onboarded fleet (simulators over HTTP, sshd, Postgres, Dagster):
a converged fleet plans nothing, drift is planned exactly, a confirmed plan converges the fleet,
and the guard refuses what was not shown or not confirmed — changing nothing."""

from __future__ import annotations

import datetime as dt

import cloudflare
import dagster as dg
import pytest

from factory.clients import Clients
from factory.config import load_settings
from factory.layers.change import WRITES
from factory.layers.runner import LayerContext
from factory.safe_changes import ChangeRefused, Selection, apply_plan, approve, make_plan
from tests.onboarding.conftest import ONBOARDING, Stack, add_fleet, delegations

pytestmark = pytest.mark.timeout(1800)
LAYERS = ("dns", "hosting", "matomo", "search_console")


class InProcessRuns:
    """The orchestrator the Hub and the CLI use, executing the runs here (same job, same tags)."""

    def __init__(self, stack: Stack):
        self.stack, self.launched = stack, []

    def launch(self, domain, steps=None, tags=None) -> str:
        selection = [dg.AssetKey(s) for s in steps] if steps else ONBOARDING
        result = self.stack.job.execute_in_process(partition_key=domain, instance=self.stack.instance,
                                                   asset_selection=selection, tags=tags, raise_on_error=False)
        assert result.success, [e.step_failure_data.error.message for e in result.get_step_failure_events()]
        self.launched.append((domain, steps, dict(tags or {})))
        return result.run_id


def context(stack: Stack) -> LayerContext:
    settings = load_settings()
    return LayerContext(settings, stack.store, Clients(settings, stack.store))


def onboarded(stack: Stack, n: int) -> list[str]:
    domains = add_fleet(stack.store, n)
    result = stack.sensor_tick()
    assert all(stack.run_all([r.partition_key for r in delegations(result)]).values())
    return domains


def cloudflare_sdk(stack: Stack, domain: str):
    site = stack.store.sites.get(domain)
    token = stack.store.cloudflare_accounts.credential(site.cloudflare_account_id)
    settings = load_settings()
    return cloudflare.Cloudflare(api_token=token, base_url=settings.cloudflare_base_url, max_retries=0), site


def drift_record(stack: Stack, domain: str, content: str = "192.0.2.99") -> None:
    """Someone edits the www record by hand in Cloudflare's dashboard."""
    sdk, site = cloudflare_sdk(stack, domain)
    [record] = sdk.dns.records.list(zone_id=site.cloudflare_zone_id, type="A", name={"exact": f"www.{domain}"}).result
    sdk.dns.records.update(record.id, zone_id=site.cloudflare_zone_id, type="A", name=f"www.{domain}",
                           content=content, proxied=True, ttl=1)


def writes_of(plan) -> list[tuple[str, str, str]]:
    return sorted((d, c.layer, c.target) for d, c in plan.changes if c.kind in WRITES)


def test_converged_fleet_plans_nothing_and_drift_is_planned_exactly(stack: Stack) -> None:
    domains = onboarded(stack, 4)
    ctx = context(stack)
    calls_before = stack.sandbox.count()
    plan, stored = make_plan(ctx, Selection(all=True, layers=LAYERS), "ops@example.com")
    assert writes_of(plan) == [] and plan.errors == [] and plan.summary()["sites_affected"] == 0
    planning = [r for r in stack.sandbox.requests[calls_before:]]
    assert planning and all(r["method"] == "GET" or "getList" in r.get("path", "") for r in planning
                            if r["vendor"] == "cloudflare"), "planning wrote to Cloudflare"
    assert stored.created_by == "ops@example.com" and stored.summary["sites"] == 4

    drift_record(stack, domains[1])
    drifted, _ = make_plan(ctx, Selection(all=True, layers=LAYERS), "ops@example.com")
    assert writes_of(drifted) == [(domains[1], "dns", f"A www.{domains[1]}")]
    [(_, change)] = [(d, c) for d, c in drifted.changes if c.kind in WRITES]
    assert (change.before, change.after) == ("192.0.2.99 (proxied)", "203.0.113.10 (proxied)")

    runs = InProcessRuns(stack)
    launched = apply_plan(ctx, runs, drifted.hash, None, "ops@example.com")
    assert [(x.domain, x.steps) for x in launched] == [(domains[1], ("dns_zone",))]
    assert runs.launched[0][2] == {"factory/plan": drifted.hash, "factory/operator": "ops@example.com",
                                   "factory/trigger": "apply"}
    again, _ = make_plan(ctx, Selection(all=True, layers=LAYERS), "ops@example.com")
    assert writes_of(again) == []
    with pytest.raises(ChangeRefused, match="was applied"):
        approve(ctx, drifted.hash, None)


def test_guard_refuses_big_unconfirmed_changes_and_stale_or_changed_plans(stack: Stack, monkeypatch) -> None:
    domains = onboarded(stack, 4)
    monkeypatch.setenv("FACTORY_GUARD_MAX_SITES", "1")
    ctx = context(stack)
    for domain in domains[:3]:
        drift_record(stack, domain)
    plan, _ = make_plan(ctx, Selection(all=True, layers=LAYERS), "ops@example.com")
    assert len(plan.affected()) == 3
    runs = InProcessRuns(stack)
    with pytest.raises(ChangeRefused, match=f"--confirm {plan.hash}") as refused:
        apply_plan(ctx, runs, plan.hash, None, "ops@example.com")
    assert refused.value.needs_confirmation and runs.launched == []
    assert len(make_plan(ctx, Selection(all=True, layers=LAYERS), "ops@example.com")[0].affected()) == 3  # untouched
    with pytest.raises(ChangeRefused):
        apply_plan(ctx, runs, plan.hash, "0" * 16, "ops@example.com")  # a wrong hash confirms nothing

    # Stale: older than FACTORY_PLAN_MAX_AGE_MINUTES.
    with pytest.raises(ChangeRefused, match="min old"):
        approve(ctx, plan.hash, plan.hash, now=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16))
    # Changed: the world moved on after the plan was shown.
    drift_record(stack, domains[3])
    with pytest.raises(ChangeRefused, match="has changed since"):
        apply_plan(ctx, runs, plan.hash, plan.hash, "ops@example.com")
    assert runs.launched == []

    fresh, _ = make_plan(ctx, Selection(all=True, layers=LAYERS), "ops@example.com")
    assert len(apply_plan(ctx, runs, fresh.hash, fresh.hash, "ops@example.com")) == 4
    assert writes_of(make_plan(ctx, Selection(all=True, layers=LAYERS), "ops@example.com")[0]) == []
