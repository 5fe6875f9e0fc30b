"""Fleet health: problems the sweeps found, the fleet's summary, and repair behind the guard."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hub_api.schemas.plans import PlanRun

ProblemStatus = Literal["ok", "warn", "fail"]


class ProblemOut(BaseModel):
    id: int
    site_id: uuid.UUID
    domain: str
    check_kind: str = Field(description="drift.<layer>, nameservers, doc_root, verification_txt, unobserved, "
                                        "step_failed, https, canonical, matomo_snippet, redirect, certificate, "
                                        "domain_expiry, auto_renew.")
    subject: str = Field(description="What inside the site: a record, a host, a step.")
    status: ProblemStatus
    cause: str = Field(description="The problem without the site's name (sites sharing it are grouped).")
    observed: str | None
    expected: str | None
    first_seen: dt.datetime
    last_seen: dt.datetime
    resolved_at: dt.datetime | None = Field(description="Null while the problem is open.")
    alerted_at: dt.datetime | None


class HealthKindOut(BaseModel):
    check_kind: str
    problems: int
    sites: int
    status: ProblemStatus = Field(description="The worst status among the kind's open problems.")


class HealthTrendPoint(BaseModel):
    date: dt.date
    open_problems: int = Field(description="Problems open at the end of that day (UTC).")


class HealthSummaryOut(BaseModel):
    open_problems: int
    sites_affected: int
    sites: int = Field(description="Sites in the fleet.")
    kinds: list[HealthKindOut]
    last_seen: dt.datetime | None = Field(description="When a sweep last saw a problem (null: none yet).")
    trend: list[HealthTrendPoint]


class RepairRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sites: list[str] = Field(default_factory=list, max_length=10_000, description="Domains to repair.")
    all: bool = Field(False, description="Every site with open drift.")
    confirm: str | None = Field(None, max_length=64, pattern="^[0-9a-f]*$",
                                description="The hash of a repair plan shown before, to apply it above the guard.")


class RepairOut(BaseModel):
    plan_hash: str | None
    runs: list[PlanRun]
    detail: str | None = Field(None, description="Why nothing was launched (nothing to repair).")


class RepairRefusedOut(BaseModel):
    detail: str
    needs_confirmation: bool
    plan_hash: str | None
    sites_affected: int | None = None


class DigestKindOut(BaseModel):
    check_kind: str
    status: ProblemStatus = Field(description="The worst status among the kind's open problems.")
    problems: int
    sites: list[str] = Field(description="The sites with an open problem of this kind.")
    causes: list[str] = Field(description="Up to five distinct causes (no site names, no secrets).")
    new: int = Field(description="Problems of this kind first seen in the last day.")
    repairable: bool


class DigestOut(BaseModel):
    mode: Literal["off", "daily", "only"] = Field(
        description="FACTORY_ALERT_DIGEST: off; daily (besides the alerts); only (instead of them).")
    hour_utc: int = Field(description="When the daily schedule sends it (FACTORY_ALERT_DIGEST_HOUR).")
    day: dt.date
    open_problems: int
    sites_affected: int
    resolved_last_day: int
    kinds: list[DigestKindOut]
    title: str
    text: str = Field(description="The message as sent (webhook text and e-mail body).")
    sent_at: dt.datetime | None = Field(description="When today's digest was sent (null: not yet).")


class DigestSentOut(DigestOut):
    sent: bool
    reason: str = Field(description="Where it went, or why nothing was sent.")
    failures: list[str]
