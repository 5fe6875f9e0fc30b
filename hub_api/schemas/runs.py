"""Actions: Dagster runs that (re-)onboard sites."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# The per-site assets (public names), in onboarding order.
STEPS = ("dns_zone", "hosting_site", "matomo_site", "gsc_property", "site_content", "site_build", "site_deployment")
Step = Literal["dns_zone", "hosting_site", "matomo_site", "gsc_property", "site_content", "site_build",
               "site_deployment"]


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    step: Step | None = Field(None, description="The one asset to re-materialize; omit for the whole onboarding.")


class BulkRunRequest(RunRequest):
    sites: list[str] = Field(min_length=1, max_length=1000, description="Site ids or domains.")
    confirm: str | None = Field(None, max_length=64, description="The plan's hash, when the change is above the guard.")


class RunLaunched(BaseModel):
    run_id: str
    url: str = Field(description="The run in the Dagster UI.")
    domain: str
    job: str
    step: Step | None


class RunRefused(BaseModel):
    site: str
    reason: str


class BulkRunResult(BaseModel):
    launched: list[RunLaunched]
    errors: list[RunRefused] = Field(description="Sites for which no run was launched, and why.")


class RunOut(BaseModel):
    run_id: str
    status: str = Field(description="Dagster's run status, e.g. QUEUED, STARTED, SUCCESS, FAILURE.")
    job: str
    url: str
    created_at: dt.datetime | None
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    steps: list[str] | None = Field(description="The assets selected; null means the whole job.")
    trigger: str | None = Field(None, description="What started it: new-site, follow-up, hub, a plan's action, ...")
    why: str | None = Field(None, description="For the platform's own runs: a new site's phase (delegation, "
                                              "after-delegation), what a follow-up found, or a relaunch.")
