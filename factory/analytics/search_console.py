"""Search Console clicks and impressions: one `searchanalytics.query` (dimensions=["date"],
dataState="all") per verified property per range, through each site's own Google account."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pandas as pd

from factory.logs import redact
from factory.clients import Clients
from factory.store import Site
from factory.vendors.retry import VendorError

GSC_COLUMNS = ["site_id", "date", "gsc_clicks", "gsc_impressions"]
ROW_LIMIT = 25_000  # the API's maximum; one row per day, so ~68 years per request
# Bounded: Search Analytics allows 1,200 QPM per site and per user; a handful of requests in
# flight hides the per-request latency without bursting (the shared budget, when configured,
# still applies per request).
DEFAULT_WORKERS = 8


@dataclass
class SearchAnalytics:
    frame: pd.DataFrame  # GSC_COLUMNS, only the days Search Console reported
    calls: int = 0
    token_refreshes: int = 0
    failed: dict[uuid.UUID, str] = field(default_factory=dict)  # site id -> reason
    latest_reported: dt.date | None = None  # newest day any property reported


def is_verified(site: Site) -> bool:
    return site.gsc_verification_status == "verified" and bool(site.gsc_property) and site.gsc_account_id is not None


def _error(exc: Exception) -> str:
    return str(exc) if isinstance(exc, VendorError) else f"{type(exc).__name__}: {redact(str(exc))}"


def fetch_search_analytics(clients: Clients, sites: Sequence[Site],
                           windows: dict[uuid.UUID, tuple[dt.date, dt.date]],
                           workers: int = DEFAULT_WORKERS) -> SearchAnalytics:
    """`windows`: per site, the days to ask for (a site onboarded mid-range starts later)."""
    result = SearchAnalytics(pd.DataFrame(columns=GSC_COLUMNS))
    by_account: dict[uuid.UUID, list[Site]] = defaultdict(list)
    for site in sites:
        if is_verified(site) and site.id in windows:
            by_account[site.gsc_account_id].append(site)
    if not by_account:
        return result

    endpoints = clients.google_endpoints()

    def authorise(account_id: uuid.UUID):
        token = clients.store.gsc_accounts.credential(account_id)
        return token, endpoints.refresh(endpoints.credentials(token), clients.google_caller(token))

    local = threading.local()

    def query(site: Site, token: str, credentials) -> list[tuple]:
        per_thread = local.__dict__.setdefault("clients", {})
        if site.gsc_account_id not in per_thread:
            per_thread[site.gsc_account_id] = endpoints.client(credentials, clients.google_caller(token),
                                                               verification=False)
        first, last = windows[site.id]
        body = {"startDate": first.isoformat(), "endDate": last.isoformat(), "dimensions": ["date"],
                "type": "web", "dataState": "all", "rowLimit": ROW_LIMIT}
        response = per_thread[site.gsc_account_id].search_analytics(site.gsc_property, body)
        return [(site.id, dt.date.fromisoformat(r["keys"][0]), round(r.get("clicks", 0)),
                 round(r.get("impressions", 0))) for r in response.get("rows", [])]

    records: list[tuple] = []
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="gsc") as pool:
        accounts = {a: pool.submit(authorise, a) for a in by_account}
        queries = {}
        for account_id, account_sites in by_account.items():
            result.token_refreshes += 1
            try:
                token, credentials = accounts[account_id].result()
            except Exception as exc:  # noqa: BLE001 - one account's failure must not stop the others
                reason = f"Google account {account_sites[0].gsc_account or account_id}: {_error(exc)}"
                result.failed.update({s.id: reason for s in account_sites})
                continue
            for site in account_sites:
                queries[site.id] = pool.submit(query, site, token, credentials)
        for site_id, future in queries.items():
            result.calls += 1
            try:
                records.extend(future.result())
            except Exception as exc:  # noqa: BLE001 - recorded as missing, reported by the run
                result.failed[site_id] = _error(exc)
    if records:
        result.frame = pd.DataFrame(records, columns=GSC_COLUMNS)
        result.latest_reported = max(r[1] for r in records)
    return result
