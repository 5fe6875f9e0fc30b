"""Injected dependencies: settings, the store, Dagster, and the signed-in operator.

All `async def`: none of them blocks (token verdicts are cached), and sync dependencies
would each cost a thread-pool hop per request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from factory.clients import Clients
from factory.layers.runner import LayerContext
from factory.store import Store
from hub_api.auth import AuthError, Principal, SignInLimiter, verify_token
from hub_api.config import Settings
from factory.orchestrator import DagsterGateway

_bearer = HTTPBearer(auto_error=False, description="A token from POST /api/auth/token (or Supabase Auth).")


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_store(request: Request) -> Store:
    return request.app.state.store


async def get_dagster(request: Request) -> DagsterGateway:
    return request.app.state.dagster


async def get_limiter(request: Request) -> SignInLimiter:
    return request.app.state.sign_in_limiter


async def current_operator(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthError("sign in first: send 'Authorization: Bearer <token>'")
    principal = verify_token(request.app.state.settings, credentials.credentials)
    request.state.operator = principal.email or principal.subject  # for the audit log and run tags
    return principal


async def get_context(request: Request) -> LayerContext:
    """Settings, the store and the vendor clients (for plans: reads only)."""
    state = request.app.state
    if getattr(state, "context", None) is None:
        state.context = LayerContext(state.settings, state.store, Clients(state.settings, state.store))
    return state.context


SettingsDep = Annotated[Settings, Depends(get_settings)]
ContextDep = Annotated[LayerContext, Depends(get_context)]
StoreDep = Annotated[Store, Depends(get_store)]
DagsterDep = Annotated[DagsterGateway, Depends(get_dagster)]
LimiterDep = Annotated[SignInLimiter, Depends(get_limiter)]
OperatorDep = Annotated[Principal, Depends(current_operator)]


# Query parameters that are lists by design; any other parameter given twice is refused rather
# than silently taking one of the values.
LIST_QUERY_PARAMETERS = frozenset({"site"})


async def single_query_values(request: Request) -> None:
    seen: set[str] = set()
    for key, _ in request.query_params.multi_items():
        if key in seen and key not in LIST_QUERY_PARAMETERS:
            raise RequestValidationError([{"loc": ("query", key), "msg": f"give {key} only once",
                                           "type": "value_error"}])
        seen.add(key)
