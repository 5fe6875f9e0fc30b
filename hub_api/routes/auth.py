from __future__ import annotations

from fastapi import APIRouter, Request

from hub_api import auth
from hub_api.client_address import client_address
from hub_api.deps import LimiterDep, OperatorDep, SettingsDep, StoreDep, VerifierDep
from hub_api.schemas.auth import OperatorOut, SignIn, Token
from hub_api.schemas.common import errors
from hub_api.strict_json import StrictJsonRoute

router = APIRouter(route_class=StrictJsonRoute, prefix="/auth", tags=["auth"])


@router.post("/token", response_model=Token, responses=errors(401, 429, authed=False), operation_id="sign_in")
def sign_in(body: SignIn, request: Request, settings: SettingsDep, store: StoreDep, limiter: LimiterDep,
            verifier: VerifierDep) -> Token:
    """Sign in with an operator's email and password; returns a short-lived bearer token.
    Failed attempts are limited per account and client address, and per address (429)."""
    client = client_address(request, settings.trusted_proxies)
    issued = auth.sign_in(settings, store, limiter, verifier, body.email, body.password.get_secret_value(), client)
    return Token(access_token=issued.access_token, expires_in=issued.expires_in, source=issued.source)


@router.get("/me", response_model=OperatorOut, responses=errors(), operation_id="current_operator")
def me(operator: OperatorDep) -> OperatorOut:
    """The operator the token stands for."""
    return OperatorOut(subject=operator.subject, email=operator.email, source=operator.source,
                       expires_at=operator.expires_at)
