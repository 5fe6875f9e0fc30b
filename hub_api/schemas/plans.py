"""Plans (what a bulk change would do, read-only) and their application behind the guard."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Layer = Literal["dns", "hosting", "matomo", "search_console", "content", "build", "deploy"]
Kind = Literal["create", "update", "delete", "wait", "noop"]


class PlanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sites: list[str] = Field(default_factory=list, max_length=10_000, description="Site ids or domains.")
    all: bool = Field(False, description="Every site of the fleet.")
    status: dict[Literal["status_dns", "status_hosting", "status_content", "status_deployment",
                         "gsc_verification_status"], str] = Field(default_factory=dict)
    account: str | None = Field(None, max_length=254, description="A Cloudflare account (nickname, email or id).")
    layers: list[Layer] = Field(default_factory=lambda: ["dns", "hosting", "matomo", "search_console", "content",
                                                         "build", "deploy"])
    action: Literal["apply", "decommission"] = Field("apply", description="What applying the plan does.")
    keep_dns: bool = Field(False, description="Decommission: leave the Cloudflare zone and records.")
    keep_analytics: bool = Field(False, description="Decommission: keep the Matomo site and its data.")
    reset_nameservers: bool = Field(False, description="Decommission: point the registrar back at its own DNS.")


class PlannedChange(BaseModel):
    domain: str
    layer: Layer
    kind: Kind
    target: str
    reason: str
    before: str | None
    after: str | None
    action: str


class PlanError(BaseModel):
    domain: str
    layer: str
    error: str


class LayerCounts(BaseModel):
    create: int
    update: int
    delete: int
    wait: int


class PlanSummary(BaseModel):
    sites: int
    sites_affected: int = Field(description="Sites with at least one create, update or delete.")
    sites_waiting: int
    sites_unobserved: int = Field(0, description="Sites with no write planned but a layer that could not be observed "
                                                 "(the guard counts them as changed).")
    deletes: int
    layers: dict[str, LayerCounts]
    errors: int = Field(description="Site layers that could not be observed.")


class PlanOut(BaseModel):
    hash: str = Field(description="Of what was observed and would change; apply with it.")
    action: str = Field(description="What applying it does: apply (the layers' changes), rerun, decommission.")
    created_at: dt.datetime
    created_by: str
    summary: PlanSummary
    changes: list[PlannedChange] = Field(description="Every change but the no-ops.")
    errors: list[PlanError]
    markdown: str
    needs_confirmation: bool = Field(description="Above the guard: applying needs `confirm` = the hash.")
    guard_limit: int = Field(description="The most sites a change may touch without confirmation.")
    applied_at: dt.datetime | None = None
    applied_by: str | None = None


class PlanApply(BaseModel):
    model_config = ConfigDict(extra="forbid")
    confirm: str = Field(max_length=64, description="The plan's hash, for a change above the guard ('' if not).")


class PlanRun(BaseModel):
    domain: str
    steps: list[str]
    run_id: str
    url: str


class PlanApplied(BaseModel):
    hash: str
    runs: list[PlanRun]


class PlanRefusedOut(BaseModel):
    detail: str
    needs_confirmation: bool
    plan: PlanOut | None = Field(None, description="The plan as it is now, when it differs or needs confirmation.")


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: dt.datetime
    operator: str
    surface: str
    action: str
    target: str | None
    plan_hash: str | None
    result: str
    detail: dict
