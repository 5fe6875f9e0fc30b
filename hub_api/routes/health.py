"""Health: liveness for anyone, details for operators.

`GET /api/health` (and the bare `/health`) answer from the process alone: no database query,
no outbound call, nothing about hosts, so an unauthenticated caller can neither learn the
set-up nor make the Hub call anyone. `GET /api/health/details` (signed in) checks the
database, Dagster and each configured vendor.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
from fastapi import APIRouter

from hub_api.deps import SettingsDep, StoreDep
from hub_api.schemas.common import errors
from hub_api.schemas.health import Component, Health, Liveness
from hub_api.strict_json import StrictJsonRoute

router = APIRouter(route_class=StrictJsonRoute, tags=["health"])
details_router = APIRouter(route_class=StrictJsonRoute, tags=["health"])
TIMEOUT = 3.0


def _database(store) -> Component:
    started = time.perf_counter()
    try:
        with store.connection() as conn:
            conn.execute("select 1")
    except Exception as exc:
        return Component(name="database", ok=False, latency_ms=None, detail=f"not reachable ({type(exc).__name__})")
    return Component(name="database", ok=True, latency_ms=round((time.perf_counter() - started) * 1000, 1))


def _http(name: str, url: str, method: str = "GET", json: dict | None = None) -> Component:
    # Any HTTP answer means reachable; only the host is reported, never a path, query or credentials.
    parts = urlsplit(url)
    where = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    started = time.perf_counter()
    try:
        httpx.request(method, url, json=json, timeout=TIMEOUT, follow_redirects=False)
    except httpx.HTTPError as exc:
        return Component(name=name, ok=False, latency_ms=None, detail=f"{where} not reachable ({type(exc).__name__})")
    return Component(name=name, ok=True, latency_ms=round((time.perf_counter() - started) * 1000, 1), detail=None)


def _dagster(base: str) -> Component:
    component = _http("dagster", base + "/graphql", "POST", {"query": "{ version }"})
    return component


@router.get("/health", response_model=Liveness, operation_id="health")
async def health() -> Liveness:
    """Liveness: 200 while the process serves requests. No sign-in; touches nothing else."""
    return Liveness(status="ok")


@details_router.get("/health/details", response_model=Health, responses=errors(), operation_id="health_details")
def health_details(store: StoreDep, settings: SettingsDep) -> Health:
    """The database, Dagster and each configured vendor: reachable, and how fast. Always 200;
    `status` is `degraded` when anything is unreachable."""
    vendors = settings.vendor_urls()
    with ThreadPoolExecutor(max_workers=2 + len(vendors)) as pool:
        database = pool.submit(_database, store)
        dagster = pool.submit(_dagster, settings.dagster_base)
        checks = [pool.submit(_http, name, url) for name, url in vendors.items()]
        result = Health(status="ok", database=database.result(), dagster=dagster.result(),
                        vendors=[c.result() for c in checks])
    if not all(c.ok for c in [result.database, result.dagster, *result.vendors]):
        result.status = "degraded"
    return result
