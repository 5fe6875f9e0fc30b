"""A fleet as onboarding leaves it, for tests and the bench: sites in the store with their
Matomo ids and verified Search Console properties, and the same sites in the sandbox."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from factory.store import NewSite, Store
from devtools.sandbox import SandboxServer


@dataclass(frozen=True)
class FleetSite:
    domain: str
    matomo: bool  # has a Matomo id
    gsc: bool  # has a verified Search Console property
    account: int | None  # index of its Google account

    @property
    def refresh_token(self) -> str | None:
        return None if self.account is None else refresh_token(self.account)


def refresh_token(i: int) -> str:
    return f"sandbox-refresh-{i}-abcdef"


def seed_fleet(store: Store, sandbox: SandboxServer, n: int, *, accounts: int = 2,
               created: dt.date = dt.date(2025, 1, 1), no_matomo_every: int = 0,
               no_google_every: int = 7) -> list[FleetSite]:
    """n sites over `accounts` Google accounts; every `no_google_every`-th site has no Google account
    (so no property), every `no_matomo_every`-th no Matomo id (0 = all have one)."""
    store.cloudflare_accounts.add("cf@example.com", "CF", "sandbox-token-abcdef")
    for i in range(accounts):
        store.gsc_accounts.add(f"seo{i}@example.com", refresh_token(i))
    plan = []
    for i in range(n):
        google = not (no_google_every and i % no_google_every == no_google_every - 1)
        matomo = not (no_matomo_every and i % no_matomo_every == no_matomo_every - 1)
        plan.append(FleetSite(f"site{i:03d}.com", matomo, google, i % accounts if google else None))
    store.sites.add_many([NewSite(p.domain, "CF", None if p.account is None else f"seo{p.account}@example.com")
                     for p in plan])
    with sandbox.lock:  # the sandbox's own state, as its API would leave it, without n round trips
        ids = {p.domain: sandbox.matomo.add_site({"siteName": [p.domain], "urls[0]": [f"https://{p.domain}"]})["value"]
               for p in plan if p.matomo}
        props = {p.domain: sandbox.google.seed_property(p.refresh_token, p.domain) for p in plan if p.gsc}
    with store.connection() as conn:
        for p in plan:
            conn.execute(
                "update public.sites set matomo_site_id = %s, gsc_property = %s, gsc_verification_status = %s,"
                " created_at = %s where domain = %s",
                (ids.get(p.domain), props.get(p.domain), "verified" if p.gsc else "pending",
                 dt.datetime.combine(created, dt.time(12), dt.UTC), p.domain))
    return plan


def set_created(store: Store, domain: str, day: dt.date) -> None:
    with store.connection() as conn:
        conn.execute("update public.sites set created_at = %s where domain = %s",
                     (dt.datetime.combine(day, dt.time(15, 30), dt.UTC), domain))
