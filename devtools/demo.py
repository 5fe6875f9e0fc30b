"""`factory demo seed`: demo accounts and sites for the quick start (idempotent)."""

from __future__ import annotations

import typer

from devtools.sandbox.cloudflare import account_id_for
from factory.cli.common import store
from factory.store import Conflict, NewSite, NotFound

DEMO_CLOUDFLARE = [("demo-cf-1@example.com", "CF_Demo_1"), ("demo-cf-2@example.com", "CF_Demo_2")]
DEMO_GSC = "demo-gsc@example.com"
DEMO_SITES = [
    NewSite("demo-bakery.com", "CF_Demo_1", DEMO_GSC, "Demo Bakery"),
    NewSite("demo-garden.net", "CF_Demo_2", DEMO_GSC, "Demo Garden"),
    NewSite("demo-cycling.org", "CF_Demo_1", None, "Demo Cycling"),
]


def seed() -> None:
    """Add demo accounts (sandbox tokens) and a few demo sites, skipping what exists."""
    s = store()
    for email, nickname in DEMO_CLOUDFLARE:
        try:
            token = f"sandbox-token-{nickname.lower()}"
            s.cloudflare_accounts.add(email, nickname, token, account_id_for(token))
        except Conflict:
            pass
    try:
        s.gsc_accounts.add(DEMO_GSC, "sandbox-refresh-token-demo")
    except Conflict:
        pass
    added = 0
    for new in DEMO_SITES:
        try:
            s.sites.get(new.domain)
        except NotFound:
            s.sites.add(new)
            added += 1
    typer.echo(f"demo data ready: {len(DEMO_SITES)} sites ({added} new)")
