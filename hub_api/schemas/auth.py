from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field, SecretStr


class SignIn(BaseModel):
    email: str = Field(min_length=1, max_length=254, examples=["ops@example.com"])
    password: SecretStr = Field(min_length=1, max_length=1024)


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")
    source: Literal["local", "supabase"] = Field(description="Which operator accounts signed you in.")


class OperatorOut(BaseModel):
    subject: str = Field(description="The operator's id in its source.")
    email: str | None
    source: Literal["local", "supabase"]
    expires_at: dt.datetime = Field(description="When the current token expires.")
