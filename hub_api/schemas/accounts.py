"""Cloudflare and Google accounts. Secrets are write-only: responses carry only `token_hint`."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from hub_api.schemas.common import Email, Nickname

_HINT = "At most the last 4 characters of the stored secret, e.g. '…a1b2'."
_ACCOUNT_ID = "Cloudflare's own account id (32 hex characters; dashboard: Copy account ID): zones are created in it."


class TokenCheck(BaseModel):
    status: str = Field(description="What Cloudflare says of the token: active, disabled, expired.")
    account_id_set: bool


class CloudflareAccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Email = Field(min_length=1, max_length=254)
    account_nickname: Nickname = Field(min_length=1, max_length=100, examples=["CF_Batch_1"])
    api_token: SecretStr = Field(min_length=1, max_length=4096, description="Write-only.")
    account_id: str | None = Field(None, max_length=64, description=_ACCOUNT_ID)


class CloudflareAccountUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Email | None = Field(None, min_length=1, max_length=254)
    account_nickname: Nickname | None = Field(None, min_length=1, max_length=100)
    api_token: SecretStr | None = Field(None, min_length=1, max_length=4096, description="Write-only.")
    account_id: str | None = Field(None, max_length=64, description=_ACCOUNT_ID)


class CloudflareAccountOut(BaseModel):
    id: uuid.UUID
    created_at: dt.datetime
    email: str
    account_nickname: str
    account_id: str | None = Field(description=_ACCOUNT_ID + " Null: zones cannot be created yet.")
    token_hint: str = Field(description=_HINT)
    sites: int = Field(description="How many sites use this account.")


class GoogleAccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Email = Field(min_length=1, max_length=254)
    refresh_token: SecretStr = Field(min_length=1, max_length=4096, description="Write-only OAuth refresh token.")


class GoogleAccountUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Email | None = Field(None, min_length=1, max_length=254)
    refresh_token: SecretStr | None = Field(None, min_length=1, max_length=4096, description="Write-only.")


class GoogleAccountOut(BaseModel):
    id: uuid.UUID
    created_at: dt.datetime
    email: str
    token_hint: str = Field(description=_HINT)
    sites: int = Field(description="How many sites use this account.")
