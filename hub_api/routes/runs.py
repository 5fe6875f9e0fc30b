"""Actions: (re-)run one onboarding step, or the whole onboarding, as Dagster runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from factory.store import StoreError
from hub_api.dagster import JOB, DagsterUnavailable
from hub_api.deps import DagsterDep, StoreDep
from hub_api.schemas.common import errors
from hub_api.schemas.runs import (
    BulkRunRequest,
    BulkRunResult,
    RunLaunched,
    RunOut,
    RunRefused,
    RunRequest,
)
from hub_api.strict_json import StrictJsonRoute

router = APIRouter(route_class=StrictJsonRoute, tags=["runs"])
SiteRef = Annotated[str, Path(min_length=1, max_length=300, description="The site's id or domain.")]


@router.post("/sites/{site}/runs", status_code=202, response_model=RunLaunched, responses=errors(404),
             operation_id="launch_site_run")
def launch_site_run(site: SiteRef, body: RunRequest, store: StoreDep, dagster: DagsterDep) -> RunLaunched:
    """Launch `onboard_site_job` for the site's partition: one step (asset) or all of them."""
    domain = store.get_site(site).domain
    run_id = dagster.launch(domain, body.step)
    return RunLaunched(run_id=run_id, url=dagster.run_url(run_id), domain=domain, job=JOB, step=body.step)


@router.get("/sites/{site}/runs", response_model=list[RunOut], responses=errors(404),
            operation_id="list_site_runs")
def list_site_runs(site: SiteRef, store: StoreDep, dagster: DagsterDep,
                   limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[RunOut]:
    """The site's recent Dagster runs (newest first) and their status."""
    domain = store.get_site(site).domain
    return [RunOut(**r) for r in dagster.runs_for(domain, limit)]


@router.post("/runs", status_code=202, response_model=BulkRunResult, responses=errors(),
             operation_id="launch_runs")
def launch_runs(body: BulkRunRequest, store: StoreDep, dagster: DagsterDep) -> BulkRunResult:
    """Launch the same step (or the whole onboarding) for a selection of sites, one run per site.
    Sites that are unknown, or whose run Dagster refused, are listed in `errors`."""
    launched, refused = [], []
    for ref in dict.fromkeys(body.sites):  # the same site twice is one run
        try:
            domain = store.get_site(ref).domain
        except StoreError as exc:
            refused.append(RunRefused(site=ref[:300], reason=str(exc)))
            continue
        try:
            run_id = dagster.launch(domain, body.step)
        except DagsterUnavailable as exc:
            refused.append(RunRefused(site=domain, reason=str(exc)))
            continue
        launched.append(RunLaunched(run_id=run_id, url=dagster.run_url(run_id), domain=domain, job=JOB,
                                    step=body.step))
    return BulkRunResult(launched=launched, errors=refused)
