"""`factory demo seed`: demo accounts and sites for the quick start (idempotent)."""

from __future__ import annotations

import datetime as dt
import time

import typer

from devtools.sandbox.cloudflare import account_id_for
from factory.cli.common import store
from factory.store import Conflict, NewSite, NotFound

DEMO_CLOUDFLARE = [("demo-cf-1@example.com", "CF_Demo_1"), ("demo-cf-2@example.com", "CF_Demo_2")]
DEMO_GSC = "demo-gsc@example.com"
ANALYTICS_DAYS = 30
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
    # Demo sites "joined" the fleet weeks ago, so the simulators' recent traffic has days to fill.
    with s.connection() as conn:
        conn.execute("update public.sites set created_at = now() - make_interval(days => %s)"
                     " where domain = any(%s) and created_at > now() - interval '1 day'",
                     (ANALYTICS_DAYS + 5, [n.domain for n in DEMO_SITES]))
    typer.echo(f"demo data ready: {len(DEMO_SITES)} sites ({added} new)")


def backfill_analytics_when_live(dagster_url: str, echo=print, timeout_s: float = 1800.0) -> None:
    """Once the demo sites are tracked (a Matomo id, a verified property where they have a Google
    account), run `analytics_job` over the last ANALYTICS_DAYS days, so the Analytics page has
    charts. Runs in a thread of `factory up`; gives up quietly after `timeout_s`."""
    from dagster_graphql import DagsterGraphQLClient

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        sites = store().sites.by_domains([n.domain for n in DEMO_SITES])
        if sites and all(x.matomo_site_id and (x.gsc_account_id is None or x.gsc_verification_status == "verified")
                         for x in sites):
            break
        time.sleep(10)
    else:
        return
    yesterday = dt.date.today() - dt.timedelta(days=1)
    first = yesterday - dt.timedelta(days=ANALYTICS_DAYS - 1)
    host, port = dagster_url.removeprefix("http://").split(":")
    try:
        DagsterGraphQLClient(host, port_number=int(port)).submit_job_execution(
            "analytics_job", repository_location_name="website_factory", tags={
                "dagster/asset_partition_range_start": first.isoformat(),
                "dagster/asset_partition_range_end": yesterday.isoformat(), "factory/trigger": "demo"})
    except Exception as exc:  # noqa: BLE001 - a demo nicety: say so, never stop the stack
        echo(f"demo analytics backfill not started: {type(exc).__name__}")
        return
    echo(f"demo sites are live: analytics backfill {first}..{yesterday} started (see the Analytics page)")
