"""Bulk changes are planned, shown and confirmed: the blast-radius guard.

Every bulk action (a re-run or backfill, a repair, a template rebuild, an import, a delete, a
decommission) first makes a fleet plan and stores it with its hash. Applying it re-plans the same
selection: a plan older than FACTORY_PLAN_MAX_AGE_MINUTES, or whose observed state has changed
since (a different hash), is refused — plan again. A plan that would change more sites than the
guard allows (FACTORY_GUARD_MAX_SITES, or FACTORY_GUARD_MAX_FRACTION of the fleet; deletes weigh
double) is refused unless confirmed with its hash, so what runs is exactly what was shown.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from factory.config import Settings
from factory.layers import decommission
from factory.layers.fleet import LAYERS, FleetPlan, plan_fleet
from factory.layers.runner import LayerContext
from factory.orchestrator import DagsterGateway
from factory.store import Site, SiteQuery, Store, StoredPlan
from factory.store.errors import InvalidInput, NotFound


class ChangeRefused(Exception):
    """The change was not made; the message says why and what to do (never partly applied)."""

    def __init__(self, message: str, plan: FleetPlan | None = None, needs_confirmation: bool = False):
        super().__init__(message)
        self.plan = plan
        self.needs_confirmation = needs_confirmation


@dataclass(frozen=True)
class Guard:
    max_sites: int
    max_fraction: float
    max_age: dt.timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> Guard:
        return cls(settings.guard_max_sites, settings.guard_max_fraction,
                   dt.timedelta(minutes=settings.plan_max_age_minutes))

    @staticmethod
    def radius(plan: FleetPlan) -> int:
        """Sites the plan would change; a site with a delete counts twice, and a site that could not
        be observed counts as changed (what it would do is unknown)."""
        affected = plan.affected()
        deletes = sum(1 for changes in affected.values() if any(c.kind == "delete" for c in changes))
        return len(affected) + deletes + len(plan.unobserved())

    def limit(self, fleet_size: int) -> int:
        """The largest radius that needs no confirmation (one site is never a bulk change)."""
        return max(1, min(self.max_sites, math.floor(self.max_fraction * fleet_size)))

    def needs_confirmation(self, plan: FleetPlan, fleet_size: int) -> bool:
        return self.radius(plan) > self.limit(fleet_size)


@dataclass(frozen=True)
class Selection:
    """Which sites a plan covers: named domains, or every site matching the filters."""

    domains: tuple[str, ...] = ()
    all: bool = False
    status: tuple[tuple[str, str], ...] = ()
    account: str | None = None  # a Cloudflare account (nickname, email or id)
    layers: tuple[str, ...] = LAYERS
    action: str = "apply"  # apply | rerun | decommission
    options: tuple[tuple[str, bool], ...] = ()  # decommission: keep_dns, keep_analytics, reset_nameservers

    def as_dict(self) -> dict:
        return {"domains": list(self.domains), "all": self.all, "status": dict(self.status),
                "account": self.account, "layers": list(self.layers), "action": self.action,
                "options": dict(self.options)}

    @classmethod
    def from_dict(cls, data: dict) -> Selection:
        return cls(tuple(data.get("domains") or ()), bool(data.get("all")), tuple((data.get("status") or {}).items()),
                   data.get("account"), tuple(data.get("layers") or LAYERS), data.get("action") or "apply",
                   tuple((data.get("options") or {}).items()))

    def plan(self, ctx: LayerContext) -> FleetPlan:
        """Observe and plan what applying would do (read-only)."""
        sites = self.sites(ctx.store)
        if self.action == "decommission":
            return decommission.fleet_plan(ctx, sites, decommission.Options(**dict(self.options)))
        return plan_fleet(ctx, sites, self.layers)

    def sites(self, store: Store) -> list[Site]:
        if not self.domains and not self.all and not self.status and not self.account:
            raise InvalidInput("select sites: name domains, or use all, a status or an account")
        if self.domains:
            found = [store.sites.get(d) for d in self.domains]  # an unknown domain is a NotFound
        else:
            account_id = store.cloudflare_accounts.get(self.account).id if self.account else None
            found = store.sites.list(SiteQuery(status=dict(self.status), cloudflare_account_id=account_id))
        if not found:
            raise NotFound("no site matches the selection")
        return found


def make_plan(ctx: LayerContext, selection: Selection, operator: str) -> tuple[FleetPlan, StoredPlan]:
    """Observe and plan (read-only), store the plan with its hash and who asked."""
    plan = selection.plan(ctx)
    stored = ctx.store.plans.save(plan.hash, operator, selection.as_dict(), plan.summary(), plan.as_dict(),
                                  selection.action)
    return plan, stored


def approve(ctx: LayerContext, plan_hash: str, confirm: str | None, *, now: dt.datetime | None = None) -> FleetPlan:
    """The stored plan, planned again and checked: fresh, unchanged, within the guard or confirmed.
    Returns the fresh plan (equal to the one shown) or raises ChangeRefused."""
    guard = Guard.from_settings(ctx.settings)
    stored = ctx.store.plans.get(plan_hash)
    now = now or dt.datetime.now(dt.UTC)
    age = now - stored.created_at
    if age > guard.max_age:
        raise ChangeRefused(f"plan {plan_hash} is {int(age.total_seconds() // 60)} min old (plans are good for "
                            f"{int(guard.max_age.total_seconds() // 60)} min): plan again")
    if stored.applied_at is not None:
        raise ChangeRefused(f"plan {plan_hash} was applied at {stored.applied_at:%Y-%m-%d %H:%M} by "
                            f"{stored.applied_by}: plan again")
    fresh = Selection.from_dict(stored.selection).plan(ctx)
    if fresh.hash != plan_hash:
        raise ChangeRefused(f"what plan {plan_hash} observed has changed since (now {fresh.hash}): plan again and "
                            "review it", fresh)
    fleet = ctx.store.sites.count()
    if guard.needs_confirmation(fresh, fleet) and confirm != plan_hash:
        radius = guard.radius(fresh)
        raise ChangeRefused(
            f"plan {plan_hash} changes {radius} site(s) (deletes count twice), more than the guard allows without "
            f"confirmation ({guard.limit(fleet)} of {fleet}); confirm with its hash: --confirm {plan_hash}",
            fresh, needs_confirmation=True)
    return fresh


@dataclass(frozen=True)
class Launched:
    domain: str
    steps: tuple[str, ...]
    run_id: str


def apply_plan(ctx: LayerContext, orchestrator: DagsterGateway, plan_hash: str, confirm: str | None,
               operator: str) -> list[Launched]:
    """Approve the plan, then one run per changed site with exactly the steps whose layer changes,
    tagged with the plan and the operator (Dagit shows both; each asset shows the plan it applied)."""
    fresh = approve(ctx, plan_hash, confirm)
    selection = Selection.from_dict(ctx.store.plans.get(plan_hash).selection)
    tags = {"factory/plan": plan_hash, "factory/operator": operator, "factory/trigger": selection.action}
    launched = []
    if selection.action == "decommission":
        for domain in fresh.sites:
            run_id = orchestrator.launch_job(
                "decommission_site_job", {**tags, "factory/domain": domain},
                run_config={"ops": {step: {"config": {"domain": domain, **dict(selection.options)}}
                                    for step in decommission.STEPS}})
            launched.append(Launched(domain, decommission.STEPS, run_id))
    else:
        for domain, steps in fresh.steps_to_apply().items():
            run_id = orchestrator.launch(domain, steps, tags=tags)
            launched.append(Launched(domain, tuple(steps), run_id))
    ctx.store.plans.mark_applied(plan_hash, operator)
    return launched
