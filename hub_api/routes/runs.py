"""Actions: (re-)run one onboarding step, or the whole onboarding, as Dagster runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from factory.layers.fleet import LAYERS, STEP_OF
from factory.orchestrator import JOB, DagsterUnavailable
from factory.safe_changes import Guard, Selection, make_plan
from factory.store import StoreError
from hub_api.deps import ContextDep, DagsterDep, StoreDep
from hub_api.routes.plans import plan_out
from hub_api.schemas.common import errors
from hub_api.schemas.plans import PlanRefusedOut
from hub_api.schemas.runs import BulkRunRequest, BulkRunResult, RunLaunched, RunOut, RunRefused, RunRequest
from hub_api.strict_json import StrictJsonRoute

router = APIRouter(route_class=StrictJsonRoute, tags=["runs"])
SiteRef = Annotated[str, Path(min_length=1, max_length=300, description="The site's id or domain.")]


@router.post("/sites/{site}/runs", status_code=202, response_model=RunLaunched, responses=errors(404),
             operation_id="launch_site_run")
def launch_site_run(site: SiteRef, body: RunRequest, request: Request, store: StoreDep,
                    dagster: DagsterDep) -> RunLaunched:
    """Launch `onboard_site_job` for the site's partition: one step (asset) or all of them."""
    domain = store.sites.get(site).domain
    run_id = dagster.launch(domain, [body.step] if body.step else None,
                            tags={"factory/operator": request.state.operator, "factory/trigger": "hub"})
    return RunLaunched(run_id=run_id, url=dagster.run_url(run_id), domain=domain, job=JOB, step=body.step)


@router.get("/sites/{site}/runs", response_model=list[RunOut], responses=errors(404),
            operation_id="list_site_runs")
def list_site_runs(site: SiteRef, store: StoreDep, dagster: DagsterDep,
                   limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[RunOut]:
    """The site's recent Dagster runs (newest first) and their status."""
    domain = store.sites.get(site).domain
    return [RunOut(**r) for r in dagster.runs_for(domain, limit)]


@router.post("/runs", status_code=202, response_model=BulkRunResult,
             responses={**errors(502), 409: {"model": PlanRefusedOut, "description": "Above the guard: confirm"}},
             operation_id="launch_runs")
def launch_runs(body: BulkRunRequest, request: Request, store: StoreDep, ctx: ContextDep,
                dagster: DagsterDep) -> BulkRunResult | JSONResponse:
    """Launch the same step (or the whole onboarding) for a selection of sites, one run per site.
    The change is planned first: above the guard's threshold it needs `confirm` = the plan's hash
    (409 with the plan otherwise). Sites that are unknown, or whose run Dagster refused, are listed
    in `errors`."""
    operator = request.state.operator
    launched, refused, domains = [], [], []
    for ref in dict.fromkeys(body.sites):  # the same site twice is one run
        try:
            domains.append(store.sites.get(ref).domain)
        except StoreError as exc:
            refused.append(RunRefused(site=ref[:300], reason=str(exc)))
    plan_hash = None
    if len(domains) > 1:
        layers = tuple(layer for layer in LAYERS if body.step is None or STEP_OF[layer] == body.step)
        plan, stored = make_plan(ctx, Selection(tuple(domains), layers=layers, action="rerun"), operator)
        guard, fleet = Guard.from_settings(ctx.settings), store.sites.count()
        request.state.plan_hash = plan_hash = plan.hash
        if guard.needs_confirmation(plan, fleet) and body.confirm != plan.hash:
            return JSONResponse(status_code=409, content=PlanRefusedOut(
                detail=f"this re-run would change {guard.radius(plan)} site(s), more than the guard allows without "
                       f"confirmation ({guard.limit(fleet)}); review plan {plan.hash} and send it as `confirm`",
                needs_confirmation=True, plan=plan_out(plan, stored, guard, fleet)).model_dump(mode="json"))
    tags = {"factory/operator": operator, "factory/trigger": "hub", **({"factory/plan": plan_hash} if plan_hash else {})}
    for domain in domains:
        try:
            run_id = dagster.launch(domain, [body.step] if body.step else None, tags=tags)
        except DagsterUnavailable as exc:
            refused.append(RunRefused(site=domain, reason=str(exc)))
            continue
        launched.append(RunLaunched(run_id=run_id, url=dagster.run_url(run_id), domain=domain, job=JOB,
                                    step=body.step))
    return BulkRunResult(launched=launched, errors=refused)
