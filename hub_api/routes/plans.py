"""Plans: what a bulk change would do (read-only), stored with a hash; applying one re-plans it
and goes through the blast-radius guard. The audit log of every operator action."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from factory.layers.fleet import FleetPlan
from factory.safe_changes import ChangeRefused, Guard, Selection, apply_plan, make_plan
from factory.store import StoredPlan
from hub_api.deps import ContextDep, DagsterDep, StoreDep
from hub_api.schemas.common import Page, errors
from hub_api.schemas.plans import (
    AuditEntryOut,
    PlanApplied,
    PlanApply,
    PlanOut,
    PlanRefusedOut,
    PlanRequest,
    PlanRun,
)

router = APIRouter(tags=["plans"])
PlanHash = Annotated[str, Path(min_length=8, max_length=64, pattern="^[0-9a-f]+$")]


def plan_out(plan: FleetPlan | None, stored: StoredPlan, guard: Guard, fleet: int) -> PlanOut:
    body = plan.as_dict() if plan is not None else stored.body
    needs = guard.needs_confirmation(plan, fleet) if plan is not None else \
        body["summary"]["sites_affected"] > guard.limit(fleet)
    return PlanOut(hash=stored.hash, action=stored.action, created_at=stored.created_at, created_by=stored.created_by,
                   summary=body["summary"], changes=body["changes"], errors=body["errors"],
                   markdown=plan.markdown() if plan is not None else "", needs_confirmation=needs,
                   guard_limit=guard.limit(fleet), applied_at=stored.applied_at, applied_by=stored.applied_by)


@router.post("/plans", status_code=201, response_model=PlanOut, responses=errors(400, 404, 502),
             operation_id="create_plan")
def create_plan(body: PlanRequest, request: Request, ctx: ContextDep) -> PlanOut:
    """Observe and plan the selected sites' layers — read-only: nothing is written at any vendor."""
    options = (("keep_dns", body.keep_dns), ("keep_analytics", body.keep_analytics),
               ("reset_nameservers", body.reset_nameservers)) if body.action == "decommission" else ()
    selection = Selection(tuple(body.sites), body.all, tuple(body.status.items()), body.account, tuple(body.layers),
                          body.action, options)
    plan, stored = make_plan(ctx, selection, request.state.operator)
    request.state.plan_hash = plan.hash
    return plan_out(plan, stored, Guard.from_settings(ctx.settings), ctx.store.sites.count())


@router.get("/plans", response_model=list[PlanOut], responses=errors(), operation_id="list_plans")
def list_plans(ctx: ContextDep, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> list[PlanOut]:
    guard, fleet = Guard.from_settings(ctx.settings), ctx.store.sites.count()
    return [plan_out(None, p, guard, fleet) for p in ctx.store.plans.recent(limit)]


@router.get("/plans/{plan_hash}", response_model=PlanOut, responses=errors(404), operation_id="get_plan")
def get_plan(plan_hash: PlanHash, ctx: ContextDep) -> PlanOut:
    return plan_out(None, ctx.store.plans.get(plan_hash), Guard.from_settings(ctx.settings), ctx.store.sites.count())


@router.post("/plans/{plan_hash}/apply", status_code=202, response_model=PlanApplied,
             responses={**errors(404, 502, 503), 409: {"model": PlanRefusedOut,
                                                       "description": "Stale, changed, or needs confirmation"}},
             operation_id="apply_plan")
def apply(plan_hash: PlanHash, body: PlanApply, request: Request, ctx: ContextDep,
          dagster: DagsterDep) -> PlanApplied | JSONResponse:
    """Plan the same selection again and, if nothing changed, launch one run per changed site with
    exactly the steps whose layer changes (tagged with the plan and the operator)."""
    try:
        launched = apply_plan(ctx, dagster, plan_hash, body.confirm or None, request.state.operator)
    except ChangeRefused as exc:
        stored = ctx.store.plans.get(plan_hash)
        fresh = None
        if exc.plan is not None:
            fresh = plan_out(exc.plan, ctx.store.plans.save(
                exc.plan.hash, request.state.operator, stored.selection, exc.plan.summary(), exc.plan.as_dict()),
                Guard.from_settings(ctx.settings), ctx.store.sites.count())
        return JSONResponse(status_code=409, content=PlanRefusedOut(
            detail=str(exc), needs_confirmation=exc.needs_confirmation, plan=fresh).model_dump(mode="json"))
    return PlanApplied(hash=plan_hash, runs=[PlanRun(domain=x.domain, steps=list(x.steps), run_id=x.run_id,
                                                     url=dagster.run_url(x.run_id)) for x in launched])


@router.get("/audit", response_model=Page[AuditEntryOut], responses=errors(), operation_id="list_audit")
def list_audit(store: StoreDep, operator: Annotated[str | None, Query(max_length=254)] = None,
               action: Annotated[str | None, Query(max_length=100)] = None,
               target: Annotated[str | None, Query(max_length=500)] = None,
               since: dt.datetime | None = None,
               limit: Annotated[int, Query(ge=1, le=500)] = 100,
               offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> Page[AuditEntryOut]:
    """Every operator action (CLI, Hub, UI), newest first."""
    rows, total = store.audit.entries(operator=operator, action=action, target=target, since=since, limit=limit,
                                      offset=offset)
    return Page[AuditEntryOut](items=[AuditEntryOut.model_validate(r) for r in rows], total=total, limit=limit,
                               offset=offset)
