from __future__ import annotations

from fastapi import APIRouter, Request

from hub_api import auth
from hub_api.deps import LimiterDep, OperatorDep, SettingsDep, StoreDep
from hub_api.schemas.auth import OperatorOut, SignIn, Token
from hub_api.schemas.common import errors

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", response_model=Token, responses=errors(401, 429, authed=False), operation_id="sign_in")
def sign_in(body: SignIn, request: Request, settings: SettingsDep, store: StoreDep, limiter: LimiterDep) -> Token:
    """Sign in with an operator's email and password; returns a short-lived bearer token."""
    client = request.client.host if request.client else "-"
    issued = auth.sign_in(settings, store, limiter, body.email, body.password.get_secret_value(), client)
    return Token(access_token=issued.access_token, expires_in=issued.expires_in, source=issued.source)


@router.get("/me", response_model=OperatorOut, responses=errors(), operation_id="current_operator")
def me(operator: OperatorDep) -> OperatorOut:
    """The operator the token stands for."""
    return OperatorOut(subject=operator.subject, email=operator.email, source=operator.source,
                       expires_at=operator.expires_at)
