"""Cloudflare and Google accounts. Secrets are write-only; deleting an account in use is a 409."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from factory.clients import Clients
from hub_api.deps import SettingsDep, StoreDep
from hub_api.schemas.accounts import (
    TokenCheck,
    CloudflareAccountCreate,
    CloudflareAccountOut,
    CloudflareAccountUpdate,
    GoogleAccountCreate,
    GoogleAccountOut,
    GoogleAccountUpdate,
)
from hub_api.schemas.common import Page, errors
from hub_api.strict_json import StrictJsonRoute

router = APIRouter(route_class=StrictJsonRoute, tags=["accounts"])
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Search = Annotated[str | None, Query(max_length=200, description="Part of the email (or nickname).")]


def _matches(search: str | None, *values: str) -> bool:
    return not search or any(search.lower() in v.lower() for v in values)


# -- Cloudflare ---------------------------------------------------------------------------------
def _cloudflare_out(store, account, counts=None) -> CloudflareAccountOut:
    counts = store.sites.count_by_account() if counts is None else counts
    return CloudflareAccountOut(id=account.id, created_at=account.created_at, email=account.email,
                                account_nickname=account.account_nickname, account_id=account.account_id,
                                token_hint=account.token_hint,
                                sites=counts.get(account.id, 0))


@router.get("/cloudflare-accounts", response_model=Page[CloudflareAccountOut], responses=errors(),
            operation_id="list_cloudflare_accounts")
def list_cloudflare_accounts(store: StoreDep, search: Search = None, limit: Limit = 100,
                             offset: Offset = 0) -> Page[CloudflareAccountOut]:
    counts = store.sites.count_by_account()
    found = [a for a in store.cloudflare_accounts.list() if _matches(search, a.email, a.account_nickname)]
    items = [_cloudflare_out(store, a, counts) for a in found[offset:offset + limit]]
    return Page(items=items, total=len(found), limit=limit, offset=offset)


@router.post("/cloudflare-accounts", status_code=201, response_model=CloudflareAccountOut,
             responses=errors(400, 409), operation_id="create_cloudflare_account")
def create_cloudflare_account(body: CloudflareAccountCreate, store: StoreDep) -> CloudflareAccountOut:
    account = store.cloudflare_accounts.add(body.email, body.account_nickname, body.api_token.get_secret_value(),
                                            body.account_id)
    return _cloudflare_out(store, account, {})


@router.get("/cloudflare-accounts/{account_id}", response_model=CloudflareAccountOut, responses=errors(404),
            operation_id="get_cloudflare_account")
def get_cloudflare_account(account_id: uuid.UUID, store: StoreDep) -> CloudflareAccountOut:
    return _cloudflare_out(store, store.cloudflare_accounts.get(account_id))


@router.patch("/cloudflare-accounts/{account_id}", response_model=CloudflareAccountOut,
              responses=errors(400, 404, 409), operation_id="update_cloudflare_account")
def update_cloudflare_account(account_id: uuid.UUID, body: CloudflareAccountUpdate,
                              store: StoreDep) -> CloudflareAccountOut:
    account = store.cloudflare_accounts.update(
        account_id, email=body.email, nickname=body.account_nickname,
        api_token=body.api_token.get_secret_value() if body.api_token else None,
        cloudflare_account_id=body.account_id,
    )
    return _cloudflare_out(store, account)


@router.post("/cloudflare-accounts/{account_id}/verify", response_model=TokenCheck, responses=errors(404, 502),
             operation_id="verify_cloudflare_account")
def verify_cloudflare_account(account_id: uuid.UUID, store: StoreDep, settings: SettingsDep) -> TokenCheck:
    """Ask Cloudflare whether the account's token is active (GET /user/tokens/verify)."""
    account = store.cloudflare_accounts.get(account_id)
    status = Clients(settings, store).cloudflare(account.id).verify_token()
    return TokenCheck(status=status, account_id_set=account.account_id is not None)


@router.delete("/cloudflare-accounts/{account_id}", status_code=204, response_class=Response,
               responses=errors(404, 409), operation_id="delete_cloudflare_account")
def delete_cloudflare_account(account_id: uuid.UUID, store: StoreDep) -> Response:
    """Refused (409) while sites use the account."""
    store.cloudflare_accounts.delete(account_id)
    return Response(status_code=204)


# -- Google (Search Console) -------------------------------------------------------------------
def _google_out(store, account, counts=None) -> GoogleAccountOut:
    counts = store.sites.count_by_account() if counts is None else counts
    return GoogleAccountOut(id=account.id, created_at=account.created_at, email=account.email,
                            token_hint=account.token_hint, sites=counts.get(account.id, 0))


@router.get("/google-accounts", response_model=Page[GoogleAccountOut], responses=errors(),
            operation_id="list_google_accounts")
def list_google_accounts(store: StoreDep, search: Search = None, limit: Limit = 100,
                         offset: Offset = 0) -> Page[GoogleAccountOut]:
    counts = store.sites.count_by_account()
    found = [a for a in store.gsc_accounts.list() if _matches(search, a.email)]
    items = [_google_out(store, a, counts) for a in found[offset:offset + limit]]
    return Page(items=items, total=len(found), limit=limit, offset=offset)


@router.post("/google-accounts", status_code=201, response_model=GoogleAccountOut, responses=errors(400, 409),
             operation_id="create_google_account")
def create_google_account(body: GoogleAccountCreate, store: StoreDep) -> GoogleAccountOut:
    return _google_out(store, store.gsc_accounts.add(body.email, body.refresh_token.get_secret_value()), {})


@router.get("/google-accounts/{account_id}", response_model=GoogleAccountOut, responses=errors(404),
            operation_id="get_google_account")
def get_google_account(account_id: uuid.UUID, store: StoreDep) -> GoogleAccountOut:
    return _google_out(store, store.gsc_accounts.get(account_id))


@router.patch("/google-accounts/{account_id}", response_model=GoogleAccountOut, responses=errors(400, 404, 409),
              operation_id="update_google_account")
def update_google_account(account_id: uuid.UUID, body: GoogleAccountUpdate, store: StoreDep) -> GoogleAccountOut:
    account = store.gsc_accounts.update(
        account_id, email=body.email,
        refresh_token=body.refresh_token.get_secret_value() if body.refresh_token else None,
    )
    return _google_out(store, account)


@router.delete("/google-accounts/{account_id}", status_code=204, response_class=Response,
               responses=errors(404, 409), operation_id="delete_google_account")
def delete_google_account(account_id: uuid.UUID, store: StoreDep) -> Response:
    """Refused (409) while sites use the account."""
    store.gsc_accounts.delete(account_id)
    return Response(status_code=204)
