"""Fleet health: the sweeps' open problems (and their history), the fleet's summary by check
kind with a trend, and repair — re-applying the plan of drifted sites through the guard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from factory.health.alerts import digest, send_digest
from factory.health.repair import repair
from hub_api.deps import ContextDep, DagsterDep, StoreDep
from hub_api.schemas.common import errors
from hub_api.schemas.fleet_health import (
    DigestOut,
    DigestSentOut,
    HealthSummaryOut,
    ProblemOut,
    ProblemStatus,
    RepairOut,
    RepairRefusedOut,
    RepairRequest,
)
from hub_api.schemas.plans import PlanRun

router = APIRouter(tags=["fleet health"])


def problem_out(p) -> ProblemOut:
    return ProblemOut(id=p.id, site_id=p.site_id, domain=p.domain, check_kind=p.check_kind, subject=p.subject,
                      status=p.status, cause=p.cause, observed=p.observed, expected=p.expected,
                      first_seen=p.first_seen, last_seen=p.last_seen, resolved_at=p.resolved_at,
                      alerted_at=p.alerted_at)


@router.get("/health/summary", response_model=HealthSummaryOut, responses=errors(), operation_id="health_summary")
def health_summary(store: StoreDep, days: Annotated[int, Query(ge=1, le=90)] = 14) -> HealthSummaryOut:
    """Open problems by check kind, the sites affected, and open problems per day (the trend)."""
    summary = store.health.summary()
    return HealthSummaryOut(**summary, sites=store.sites.count(), trend=store.health.trend(days))


@router.get("/health/problems", response_model=list[ProblemOut], responses=errors(400),
            operation_id="list_health_problems")
def list_problems(store: StoreDep,
                  domain: Annotated[str | None, Query(max_length=300, pattern=r"^[\w.-]+$",
                                                      description="A domain (letters, digits, dots, hyphens).")] = None,
                  check_kind: Annotated[str | None, Query(max_length=64, description="A kind or a family (drift).")]
                  = None,
                  status: ProblemStatus | None = None,
                  include_resolved: bool = False,
                  limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> list[ProblemOut]:
    """Open problems (with `include_resolved`, their history too), newest first."""
    return [problem_out(p) for p in store.health.problems(domain=domain, check_kind=check_kind, status=status,
                                                           open_only=not include_resolved, limit=limit)]


@router.post("/health/repair", status_code=202, response_model=RepairOut,
             responses={**errors(400, 404, 502, 503), 409: {"model": RepairRefusedOut,
                                                            "description": "Stale, changed, or needs confirmation"}},
             operation_id="repair_sites")
def repair_sites(body: RepairRequest, request: Request, ctx: ContextDep,
                 dagster: DagsterDep) -> RepairOut | JSONResponse:
    """Plan the drifted layers of the named sites (or of every site with open drift) and apply that
    plan through the guard: above its threshold, answer 409 with the plan's hash to confirm."""
    outcome = repair(ctx, dagster, body.sites, request.state.operator, all_sites=body.all,
                     confirm=body.confirm or None)
    request.state.plan_hash = outcome.plan_hash
    if outcome.refused and (outcome.needs_confirmation or outcome.plan_hash and "nothing to change"
                            not in outcome.refused):
        return JSONResponse(status_code=409, content=RepairRefusedOut(
            detail=outcome.refused, needs_confirmation=outcome.needs_confirmation, plan_hash=outcome.plan_hash,
            sites_affected=len(outcome.plan.affected()) if outcome.plan else None).model_dump(mode="json"))
    return RepairOut(plan_hash=outcome.plan_hash, detail=outcome.refused,
                     runs=[PlanRun(domain=x.domain, steps=list(x.steps), run_id=x.run_id,
                                   url=dagster.run_url(x.run_id)) for x in outcome.launched])


def digest_out(ctx, found) -> dict:
    return {**found.as_dict(), "mode": ctx.settings.alert_digest, "hour_utc": ctx.settings.alert_digest_hour,
            "resolved_last_day": found.resolved, "sent_at": ctx.store.health.digest_sent(found.day)}


@router.get("/health/digest", response_model=DigestOut, responses=errors(), operation_id="health_digest")
def health_digest(ctx: ContextDep) -> DigestOut:
    """Today's digest: the open problems summarised by kind, as the daily message says it."""
    return DigestOut(**digest_out(ctx, digest(ctx.store)))


@router.post("/health/digest", response_model=DigestSentOut, responses=errors(), operation_id="send_health_digest")
def send_health_digest(ctx: ContextDep) -> DigestSentOut:
    """Send today's digest now (at most one a day, whoever sends it; also with the digest off)."""
    result = send_digest(ctx.settings, ctx.store, force=True)
    return DigestSentOut(**digest_out(ctx, result.digest), sent=result.sent, reason=result.reason,
                         failures=result.failures)
