"""What the repositories return: plain frozen dataclasses, never a secret."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CloudflareAccount:
    id: uuid.UUID
    created_at: dt.datetime
    email: str
    account_nickname: str
    token_hint: str  # the last 4 characters at most, never the token
    account_id: str | None = None  # Cloudflare's own id of the account (32 hex), where zones are created


@dataclass(frozen=True)
class GscAccount:
    id: uuid.UUID
    created_at: dt.datetime
    email: str
    token_hint: str


@dataclass(frozen=True)
class Site:
    id: uuid.UUID
    created_at: dt.datetime
    updated_at: dt.datetime
    seq: int
    domain: str
    brand_name: str | None
    cloudflare_account_id: uuid.UUID
    cloudflare_account: str  # nickname
    gsc_account_id: uuid.UUID | None
    gsc_account: str | None  # email
    status_dns: str
    status_hosting: str
    status_content: str
    status_deployment: str
    hosting_doc_root: str | None
    matomo_site_id: int | None
    gsc_verification_status: str
    error_message: str | None
    error_step: str | None
    cloudflare_zone_id: str | None
    cloudflare_name_servers: list[str] | None
    cloudflare_zone_status: str | None
    hosting_site_user: str | None
    hosting_certificate: bool
    gsc_property: str | None
    decommissioned_at: dt.datetime | None = None
    theme: str | None = None  # the operator's choice ("ledger", "ledger/ink"); None: picked from the domain
    lang: str = "en"
    state: str = "pending"  # the site as a whole: failed | onboarding | pending | live (sites.site_state)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)  # a plain dataclass (no slots): its fields are its __dict__


@dataclass(frozen=True)
class NewSite:
    """One site to add: references accounts by nickname (Cloudflare) and email (Google)."""

    domain: str
    cloudflare_account: str
    gsc_account: str | None = None
    brand_name: str | None = None


@dataclass(frozen=True)
class SiteStep:
    """Where one per-site step stands (site_steps): its state, what it waits for, its own last error."""

    site_id: uuid.UUID
    step: str
    state: str  # running | succeeded | waiting | failed
    since: dt.datetime
    waiting_for: str | None
    waiting_since: dt.datetime | None
    next_check_at: dt.datetime | None
    deadline_at: dt.datetime | None
    checks: int
    last_error: str | None
    last_error_at: dt.datetime | None


@dataclass(frozen=True)
class PublishState:
    """What was last generated, built and deployed for a site (site_publishing)."""

    domain: str
    content_model: str | None
    content_prompt_version: str | None
    content_hash: str | None
    build_hash: str | None
    deployed_hash: str | None
    deployed_release: str | None


@dataclass(frozen=True)
class AnalyticsRow:
    date: dt.date
    site_id: uuid.UUID
    matomo_visits: int | None
    gsc_clicks: int | None
    gsc_impressions: int | None


@dataclass(frozen=True)
class Operator:
    id: uuid.UUID
    created_at: dt.datetime
    email: str
    disabled: bool
    last_sign_in_at: dt.datetime | None
