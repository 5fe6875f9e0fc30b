"""The FastAPI application: `uvicorn hub_api.main:app` (or `factory api`)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from factory import logs
from factory.orchestrator import DagsterGateway
from factory.store import Store
from hub_api import api_docs, errors
from hub_api.audit import Audit
from hub_api.auth import TokenVerifier
from hub_api.config import Settings, get_settings
from hub_api.deps import current_operator, single_query_values
from hub_api.middleware import BodyLimit, RequestContext
from hub_api.operator_tokens import TokenVersions
from hub_api.routes import accounts, analytics, auth, backups, fleet_health, health, plans, quality, runs, sites
from hub_api.sign_in_limits import SignInLimiter
from hub_api.ui import mount_ui

log = logging.getLogger(__name__)

DESCRIPTION = """The Management Hub API of the Website Factory: accounts, sites, onboarding runs and analytics.

Sign in with `POST /api/auth/token`, then send `Authorization: Bearer <token>` on every request
(all endpoints but the liveness check `/api/health` need it). Errors are JSON `{"detail": ...}`."""


def create_app(settings: Settings | None = None, store: Store | None = None,
               dagster: DagsterGateway | None = None) -> FastAPI:
    settings = settings or get_settings()
    logs.configure()
    the_store = store or Store(settings.database_url, max_connections=16)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if store is None:  # ours to close; an injected store belongs to the caller
            the_store.close()

    # The document and Swagger UI are routes of their own (api_docs), open or not by setting.
    app = FastAPI(title="Website Factory — Management Hub API", version="1.0.0", description=DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan,
                  dependencies=[Depends(single_query_values)])
    app.state.settings = settings
    app.state.store = the_store
    app.state.dagster = dagster or DagsterGateway(settings.dagster_base)
    app.state.sign_in_limiter = SignInLimiter(the_store, settings.sign_in_attempts,
                                              settings.sign_in_accounts_per_address)
    app.state.token_verifier = TokenVerifier(settings)
    app.state.token_versions = TokenVersions(the_store, settings.token_check_seconds)

    api = APIRouter(prefix="/api")
    api.include_router(health.router)
    api.include_router(auth.router)
    protected = APIRouter(dependencies=[Depends(current_operator)])
    protected.include_router(health.details_router)
    for module in (accounts, sites, runs, analytics, plans, quality, fleet_health, backups):
        protected.include_router(module.router)
    api.include_router(protected)
    app.include_router(api)
    # The bare /health for load balancers and probes (same answer, not in the schema twice).
    app.add_api_route("/health", health.health, methods=["GET"], include_in_schema=False)
    api_docs.install(app, settings.docs_mode)
    errors.install(app)

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    if settings.ui_origin:
        app.add_middleware(CORSMiddleware, allow_origins=[settings.ui_origin], allow_credentials=False,
                           allow_methods=["GET", "POST", "PATCH", "DELETE"],
                           allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
                           expose_headers=["X-Request-ID", "Retry-After"])
    app.add_middleware(Audit)  # every action, with its operator and result
    app.add_middleware(RequestContext)  # outermost: every request gets an id and a log line
    if mount_ui(app, settings.ui_dist):
        log.info("serving the UI from %s", settings.ui_dist)
    return app


def __getattr__(name: str):
    # `uvicorn hub_api.main:app`: built on first access, so importing this module has no side effects.
    if name == "app":
        global app
        app = create_app()
        return app
    raise AttributeError(name)
