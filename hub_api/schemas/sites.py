"""Sites: create, bulk import (CSV), list, update, and their history."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hub_api.schemas.common import BrandName
from hub_api.schemas.fleet_health import ProblemOut

DnsStatus = Literal["pending", "active", "failed"]
HostingStatus = Literal["pending", "active", "failed"]
ContentStatus = Literal["pending", "generating", "generated", "failed"]
DeploymentStatus = Literal["pending", "deploying", "deployed", "failed"]
VerificationStatus = Literal["pending", "verified", "failed"]
SiteState = Literal["failed", "onboarding", "pending", "live"]
SiteSort = Literal["created", "domain", "brand", "account", "status"]


class SiteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    domain: str = Field(min_length=1, max_length=1000, examples=["example.com"],
                        description="A registrable domain; normalised (lower-case, punycode) before it is stored.")
    cloudflare_account: str = Field(min_length=1, max_length=254,
                                    description="The Cloudflare account's id, nickname or email.")
    gsc_account: str | None = Field(None, max_length=254, description="The Google account's id or email.")
    brand_name: BrandName | None = Field(None, max_length=200)


class SiteUpdate(BaseModel):
    """Only the fields given change; `gsc_account: null` or `brand_name: null` clears them."""

    model_config = ConfigDict(extra="forbid")
    brand_name: BrandName | None = Field(None, max_length=200)
    cloudflare_account: str | None = Field(None, min_length=1, max_length=254)
    gsc_account: str | None = Field(None, max_length=254)


StepName = Literal["dns_zone", "hosting_site", "matomo_site", "gsc_property", "site_content", "site_build",
                   "site_deployment"]
StepState = Literal["running", "succeeded", "waiting", "failed"]


class StepOut(BaseModel):
    """Where one step of the site stands; a waiting step says what for, since when and when it looks next."""

    model_config = ConfigDict(from_attributes=True)
    step: StepName
    state: StepState
    since: dt.datetime = Field(description="When the step entered this state.")
    waiting_for: str | None = Field(description="What the step waits for (state waiting).")
    waiting_since: dt.datetime | None
    next_check_at: dt.datetime | None = Field(description="When it looks again (state waiting).")
    deadline_at: dt.datetime | None = Field(description="When waiting turns into failing.")
    checks: int = Field(description="Looks taken while waiting for the same thing.")
    last_error: str | None = Field(description="This step's own last error (cleared when it succeeds).")
    last_error_at: dt.datetime | None


class SiteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    created_at: dt.datetime
    updated_at: dt.datetime
    domain: str
    brand_name: str | None
    cloudflare_account_id: uuid.UUID
    cloudflare_account: str = Field(description="The Cloudflare account's nickname.")
    gsc_account_id: uuid.UUID | None
    gsc_account: str | None = Field(description="The Google account's email.")
    status_dns: DnsStatus
    status_hosting: HostingStatus
    status_content: ContentStatus
    status_deployment: DeploymentStatus
    gsc_verification_status: VerificationStatus
    hosting_doc_root: str | None
    matomo_site_id: int | None
    error_message: str | None = Field(description="The last failure of an onboarding step.")
    error_step: str | None = Field(description="The step whose failure error_message describes (the latest).")
    cloudflare_zone_id: str | None = None
    cloudflare_zone_status: str | None = None
    gsc_property: str | None = None
    decommissioned_at: dt.datetime | None = Field(None, description="When the site left the fleet (its row is kept).")
    state: SiteState = Field(description="The site as a whole: failed (any step failed), live (every step done), "
                                         "pending (none started) or onboarding.")
    steps: list[StepOut] = Field(default_factory=list, description="Each step's state, in onboarding order.")
    problems: list[ProblemOut] = Field(default_factory=list,
                                       description="Open health problems (the site's own page only; empty in lists).")
    live_url: str | None = Field(None, description="Where the live site opens (FACTORY_LIVE_SITE_URL; locally the "
                                                   "local hosting server), on the site's own page only.")


class SiteSummary(BaseModel):
    total: int = Field(description="Sites in the live fleet (decommissioned ones not counted).")
    failed: int
    onboarding: int
    pending: int
    live: int
    decommissioned: int = Field(description="Sites that left the fleet (their rows are kept).")


class SiteChanges(BaseModel):
    cursor: str = Field(description="Pass it as `since` next time.")
    changed: list[SiteOut] = Field(description="Sites changed since the cursor given, as they are now (decommissioned "
                                               "ones included); a site may come twice.")
    deleted: list[str] = Field(description="Domains removed from the fleet since the cursor given.")
    more: bool = Field(description="More changed than `limit`: reload what you show instead.")
    summary: SiteSummary | None = Field(description="The counts, when anything changed.")


class SiteImport(BaseModel):
    model_config = ConfigDict(extra="forbid")
    csv: str = Field(max_length=10_000_000,
                     description="CSV text with the header domain,brand_name,cloudflare_account,gsc_account "
                                 "(domain and cloudflare_account required). Cells are trimmed of surrounding "
                                 "spaces and tabs; each trimmed domain is listed in the report's notes.")
    dry_run: bool = Field(False, description="Check every row and report; write nothing.")
    skip_invalid: bool = Field(False, description="Write the good rows even if some rows are bad.")


class ImportRowError(BaseModel):
    line: int = Field(description="Line number in the file (the header is line 1).")
    domain: str | None
    reason: str


class ImportRowNote(BaseModel):
    line: int = Field(description="Line number in the file (the header is line 1).")
    domain: str | None
    note: str = Field(description="What the import changed in the row, e.g. spaces trimmed around a cell.")


class ImportReport(BaseModel):
    dry_run: bool
    rows: int = Field(description="Rows read (blank lines are not rows).")
    valid: int
    written: int
    errors: list[ImportRowError]
    notes: list[ImportRowNote] = Field(default_factory=list,
                                       description="Accepted rows the import changed (cells are trimmed of "
                                                   "surrounding spaces and tabs).")
    domains: list[str] = Field(description="The normalised domains written (or, on a dry run, that would be).")


class ImportRejected(BaseModel):
    detail: str
    errors: list[ImportRowError] = Field(default_factory=list,
                                         description="Every bad row; empty when the file itself is unreadable.")


class SiteEvent(BaseModel):
    at: dt.datetime
    step: str
    status: str
    message: str | None


class SiteEtaOut(BaseModel):
    domain: str
    position: int = Field(description="The site's place in the onboarding queue (1: next).")
    live_at: dt.datetime = Field(description="When the site is expected to be live.")
    waits_for: Literal["cloudflare", "namecheap", "letsencrypt", "machine", "none"] = Field(
        description="The request budget the site waits for last (machine: this machine's measured onboarding pace; none: only the zone's activation).")


class DayCount(BaseModel):
    date: dt.date
    sites: int


class OnboardingEta(BaseModel):
    queued: int = Field(description="Sites still to be onboarded (pending or onboarding, not failed).")
    all_live_at: dt.datetime | None = Field(description="When the last of them is expected to be live.")
    bottleneck: Literal["cloudflare", "namecheap", "letsencrypt", "machine", "none"] | None = Field(
        description="The request budget (or machine: the measured onboarding pace) that decides when the last site is live.")
    per_day: list[DayCount] = Field(description="How many sites go live each day (UTC).")
    items: list[SiteEtaOut] = Field(description="The queued sites in onboarding order (a page of them).")
