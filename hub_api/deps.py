"""Injected dependencies: settings, the store, Dagster, and the signed-in operator.

All `async def`, and none blocks the event loop: a token's verdict and its operator's token
version are remembered for a few seconds, and only a look-up (a database query, a JWKS
fetch) goes to the thread pool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from factory.clients import Clients
from factory.layers.runner import LayerContext
from factory.store import Store
from hub_api.auth import AuthError, Principal, TokenVerifier
from hub_api.config import Settings
from factory.orchestrator import DagsterGateway
from hub_api.operator_tokens import TokenVersions
from hub_api.sign_in_limits import SignInLimiter

_bearer = HTTPBearer(auto_error=False, description="A token from POST /api/auth/token (or Supabase Auth).")


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_store(request: Request) -> Store:
    return request.app.state.store


async def get_dagster(request: Request) -> DagsterGateway:
    return request.app.state.dagster


async def get_limiter(request: Request) -> SignInLimiter:
    return request.app.state.sign_in_limiter


async def get_verifier(request: Request) -> TokenVerifier:
    return request.app.state.token_verifier


async def operator_for_token(request: Request, token: str) -> Principal:
    """The operator a bearer token stands for, with the token's revocation checked."""
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = verifier.remembered(token)
    if principal is None:
        principal = await run_in_threadpool(verifier.verify, token)
    if principal.source == "local":
        versions: TokenVersions = request.app.state.token_versions
        current = versions.remembered(principal.subject, principal.version)
        if current is None:
            current = await run_in_threadpool(versions.is_current, principal.subject, principal.version)
        if not current:
            raise AuthError("this token was revoked (the operator was disabled or the password changed); "
                            "sign in again")
    return principal


async def current_operator(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthError("sign in first: send 'Authorization: Bearer <token>'")
    principal = await operator_for_token(request, credentials.credentials)
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
VerifierDep = Annotated[TokenVerifier, Depends(get_verifier)]
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
