"""The system of record: repositories per concern on one connection pool.

    store = Store()                      # FACTORY_DATABASE_URL, or the embedded Postgres
    site = store.sites.get("example.com")
    store.steps.start(site.id, "dns_zone")

Repositories: `cloudflare_accounts`, `gsc_accounts`, `sites`, `steps` (the per-site step state
machine), `publishing`, `quality`, `analytics`, `operators`, `plans`, `audit`, `health` (problems health sweeps found). Typed functions over psycopg 3; every status
value is checked against the spec's vocabulary (and by CHECK constraints); credentials go in
encrypted and come out only through `credential()`.
"""

from __future__ import annotations

from factory.store.accounts import CloudflareAccounts, GscAccounts
from factory.store.analytics import Analytics
from factory.store.audit import AuditEntry, AuditLog
from factory.store.database import Database
from factory.store.errors import Conflict, InvalidInput, NotFound, StoreError
from factory.store.health import Finding, Health, Problem
from factory.store.models import (
    AnalyticsRow,
    CloudflareAccount,
    GscAccount,
    NewSite,
    Operator,
    PublishState,
    Site,
    SiteStep,
)
from factory.store.operators import Operators
from factory.store.plans import Plans, StoredPlan
from factory.store.publishing import Publishing
from factory.store.quality import DuplicatePair, Quality, QualityVerdict
from factory.store.sites import SITE_SORTS, SITE_STATES, SiteChanges, SiteQuery, Sites
from factory.store.steps import STEPS, Steps

__all__ = [
    "AnalyticsRow",
    "AuditEntry",
    "CloudflareAccount",
    "Conflict",
    "Database",
    "DuplicatePair",
    "Finding",
    "GscAccount",
    "InvalidInput",
    "NewSite",
    "NotFound",
    "Operator",
    "Problem",
    "PublishState",
    "QualityVerdict",
    "SITE_SORTS",
    "SITE_STATES",
    "STEPS",
    "Site",
    "SiteChanges",
    "SiteQuery",
    "SiteStep",
    "Store",
    "StoreError",
    "StoredPlan",
]


class Store:
    """One per process; thread-safe (the pool is)."""

    def __init__(self, url: str | None = None, *, max_connections: int = 8):
        self.db = Database(url, max_connections=max_connections)
        self.cloudflare_accounts = CloudflareAccounts(self.db)
        self.gsc_accounts = GscAccounts(self.db)
        self.sites = Sites(self.db)
        self.steps = Steps(self.db)
        self.publishing = Publishing(self.db)
        self.quality = Quality(self.db)
        self.analytics = Analytics(self.db)
        self.operators = Operators(self.db)
        self.plans = Plans(self.db)
        self.audit = AuditLog(self.db)
        self.health = Health(self.db)

    def connection(self):
        """A pooled connection; the block is one transaction (commit on success)."""
        return self.db.connection()

    def close(self) -> None:
        self.db.close()
