from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Component(BaseModel):
    name: str
    ok: bool
    latency_ms: float | None
    detail: str | None = Field(None, description="Why it is not reachable (never a secret).")


class Liveness(BaseModel):
    status: Literal["ok"] = Field(description="The Hub process answers; sign in for /api/health/details.")


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: Component
    dagster: Component
    vendors: list[Component]
