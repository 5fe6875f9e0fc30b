"""Analytics for the dashboard: daily rows, per-site totals, fleet totals per day."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import TypeAdapter

from factory.store import InvalidInput
from hub_api.deps import StoreDep
from hub_api.schemas.analytics import (
    AnalyticsDay,
    FleetAnalytics,
    SiteTotals,
)
from hub_api.schemas.common import Page, errors
from hub_api.strict_json import StrictJsonRoute

router = APIRouter(route_class=StrictJsonRoute, prefix="/analytics", tags=["analytics"])
MAX_DAYS = 3660  # ten years: bounds every query
Start = Annotated[dt.date, Query(description="First day (inclusive).")]
End = Annotated[dt.date, Query(description="Last day (inclusive).")]


def _check_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise InvalidInput("end is before start")
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput(f"the date range is longer than {MAX_DAYS} days")


@router.get("/daily", response_model=Page[AnalyticsDay], responses=errors(400, 404),
            operation_id="list_daily_analytics")
def daily(
    store: StoreDep, start: Start, end: End,
    site: Annotated[list[str] | None, Query(max_length=1000, description="Site ids or domains; all when omitted.")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Page[AnalyticsDay]:
    """Daily rows per site, by date then domain."""
    _check_range(start, end)
    site_ids = None
    if site:
        site_ids = []
        for ref in site:
            if len(ref) > 300:
                raise InvalidInput("a site reference is longer than 300 characters")
            site_ids.append(store.sites.get(ref).id)
    rows, total = store.analytics.page(start, end, site_ids, limit=limit, offset=offset)
    return Page[AnalyticsDay](items=[AnalyticsDay(**r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/sites", response_model=Page[SiteTotals], responses=errors(400), operation_id="list_site_totals")
def site_totals(
    store: StoreDep, start: Start, end: End,
    search: Annotated[str | None, Query(max_length=200)] = None,
    sort: Literal["domain", "days", "matomo_visits", "gsc_clicks", "gsc_impressions"] = "matomo_visits",
    order: Literal["asc", "desc"] = "desc",
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Page[SiteTotals]:
    """Per-site totals over the date range (every site, zeros where there is no data)."""
    _check_range(start, end)
    rows, total = store.analytics.site_totals(start, end, search=search, order_by=sort,
                                              descending=order == "desc", limit=limit, offset=offset)
    return Page[SiteTotals](items=[SiteTotals(**r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/fleet", response_model=FleetAnalytics, responses=errors(400), operation_id="get_fleet_analytics")
def fleet(store: StoreDep, start: Start, end: End) -> FleetAnalytics:
    """Fleet totals per day, and over the whole range."""
    _check_range(start, end)
    days = store.analytics.fleet_totals(start, end)
    totals = {k: sum(d[k] for d in days) for k in ("matomo_visits", "gsc_clicks", "gsc_impressions")}
    # The rows to JSON in one pass of pydantic-core (a year is 365 days), not a model per day.
    answer = _FLEET.validate_python({"start": start, "end": end, "days": days, "totals": totals})
    return Response(_FLEET.dump_json(answer), media_type="application/json")


_FLEET = TypeAdapter(FleetAnalytics)
