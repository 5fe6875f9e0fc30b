"""Repair: re-apply the plan of drifted sites — through the same plan, hash and guard as
`factory plan` / `factory apply`, so a bulk repair above the guard's threshold is applied only
when confirmed with the hash of exactly the plan that was shown.

    outcome = repair(ctx, runs, ["a.com"], operator)          # or all_sites=True
    outcome = repair(ctx, runs, [], operator, confirm=HASH)   # a plan shown before, confirmed
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from factory.health import checks
from factory.layers.fleet import FleetPlan
from factory.layers.runner import LayerContext
from factory.orchestrator import DagsterGateway
from factory.safe_changes import (
    ChangeRefused,
    Launched,
    Selection,
    apply_plan,
    make_plan,
)
from factory.store.errors import NotFound


@dataclass
class RepairOutcome:
    plan: FleetPlan | None
    plan_hash: str | None
    launched: list[Launched] = field(default_factory=list)
    refused: str | None = None
    needs_confirmation: bool = False

    def as_dict(self) -> dict:
        return {"plan": self.plan_hash, "refused": self.refused, "needs_confirmation": self.needs_confirmation,
                "summary": self.plan.summary() if self.plan else None,
                "runs": [{"domain": x.domain, "steps": list(x.steps), "run_id": x.run_id} for x in self.launched]}


def drifted(ctx: LayerContext, domains: Sequence[str] = ()) -> dict[str, tuple[str, ...]]:
    """Per site with open drift (of `domains`, or of the fleet): the layers that drifted."""
    found: dict[str, set[str]] = {}
    wanted = {d.lower() for d in domains}
    for problem in ctx.store.health.problems(limit=100_000):
        if problem.check_kind in checks.REPAIRABLE and (not wanted or problem.domain in wanted):
            found.setdefault(problem.domain, set()).add(checks.layer_of(problem.check_kind))
    return {d: tuple(sorted(layers)) for d, layers in sorted(found.items())}


def repair(ctx: LayerContext, orchestrator: DagsterGateway, domains: Sequence[str], operator: str, *,
           all_sites: bool = False, confirm: str | None = None) -> RepairOutcome:
    """Plan the drifted layers of the selected sites (named ones are planned in full even with no
    open problem), then apply that plan — or, with `confirm`, apply the plan of that hash."""
    if confirm:
        plan_hash = confirm
        if ctx.store.plans.get(confirm).action != "repair":  # an unknown hash is a NotFound
            return RepairOutcome(None, confirm, refused=f"plan {confirm} is not a repair plan: apply it with "
                                                       "`factory apply` (or the Hub's Plans page)")
    else:
        if all_sites:
            targets = drifted(ctx)
            if not targets:
                return RepairOutcome(None, None, refused="no open drift to repair")
            layers = tuple(sorted({layer for ls in targets.values() for layer in ls}))
            selection = Selection(tuple(targets), layers=layers, action="repair")
        elif domains:
            targets = drifted(ctx, domains)
            layers = tuple(sorted({layer for ls in targets.values() for layer in ls}))
            selection = Selection(tuple(domains), layers=layers) if layers else Selection(tuple(domains))
            selection = Selection(selection.domains, layers=selection.layers, action="repair")
        else:
            raise NotFound("name the sites to repair, or use --all")
        plan, stored = make_plan(ctx, selection, operator)
        plan_hash = stored.hash
        if not plan.affected():
            return RepairOutcome(plan, plan_hash, refused="nothing to change: the plan is empty")
    try:
        launched = apply_plan(ctx, orchestrator, plan_hash, confirm, operator)
    except ChangeRefused as exc:
        return RepairOutcome(exc.plan, plan_hash, refused=str(exc), needs_confirmation=exc.needs_confirmation)
    return RepairOutcome(None, plan_hash, launched)
