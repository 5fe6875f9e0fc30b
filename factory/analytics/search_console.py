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
# Queries in flight per Google account. Search Analytics allows 1,200 queries a minute per user
# (and per site): the accounts are independent, so each has its own workers, and a fleet of a
# few hundred sites per account is asked in one or two rounds of latency. The shared budget
# (1,200 a minute per account) holds a larger fleet to the quota.
DEFAULT_WORKERS = 64


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
    """`windows`: per site, the days to ask for (a site onboarded mid-range starts later); `workers`:
    queries in flight per Google account."""
    result = SearchAnalytics(pd.DataFrame(columns=GSC_COLUMNS))
    by_account: dict[uuid.UUID, list[Site]] = defaultdict(list)
    for site in sites:
        if is_verified(site) and site.id in windows:
            by_account[site.gsc_account_id].append(site)
    if not by_account:
        return result

    endpoints = clients.google_endpoints()
    records: list[tuple] = []
    lock = threading.Lock()

    def account_run(account_id: uuid.UUID, account_sites: list[Site]) -> None:
        """One account: refresh its token once, then its queries `workers` at a time over one
        client (one connection per thread)."""
        try:
            token = clients.store.gsc_accounts.credential(account_id)
            credentials = endpoints.refresh(endpoints.credentials(token), clients.google_caller(token))
        except Exception as exc:  # noqa: BLE001 - one account's failure must not stop the others
            reason = f"Google account {account_sites[0].gsc_account or account_id}: {_error(exc)}"
            with lock:
                result.failed.update({s.id: reason for s in account_sites})
            return
        caller = clients.search_analytics_caller(token)
        client = endpoints.client(credentials, caller, verification=False)
        local = threading.local()

        def query(site: Site) -> list[tuple]:
            if not hasattr(local, "http"):
                local.http = endpoints.http(credentials)
            first, last = windows[site.id]
            body = {"startDate": first.isoformat(), "endDate": last.isoformat(), "dimensions": ["date"],
                    "type": "web", "dataState": "all", "rowLimit": ROW_LIMIT}
            response = client.search_analytics(site.gsc_property, body, http=local.http)
            return [(site.id, dt.date.fromisoformat(r["keys"][0]), round(r.get("clicks", 0)),
                     round(r.get("impressions", 0))) for r in response.get("rows", [])]

        size = max(1, min(workers, len(account_sites)))
        futures = {}
        with ThreadPoolExecutor(max_workers=size, thread_name_prefix="gsc") as pool:
            for at in range(0, len(account_sites), size):
                # A round of queries at once: its budget taken in one go (waiting while the
                # account's quota is spent), then the queries, then the next round.
                batch = account_sites[at:at + size]
                try:
                    caller.reserve(len(batch))
                except Exception:  # noqa: BLE001 - each query then takes its own budget (and fails alone)
                    pass
                round_ = {site.id: pool.submit(query, site) for site in batch}
                for future in round_.values():
                    future.exception()
                futures.update(round_)
            for site_id, future in futures.items():
                try:
                    found = future.result()
                except Exception as exc:  # noqa: BLE001 - recorded as missing, reported by the run
                    with lock:
                        result.failed[site_id] = _error(exc)
                    continue
                with lock:
                    records.extend(found)

    result.token_refreshes = len(by_account)
    result.calls = sum(len(v) for v in by_account.values())
    with ThreadPoolExecutor(max_workers=len(by_account), thread_name_prefix="gsc-account") as accounts:
        for future in [accounts.submit(account_run, a, s) for a, s in by_account.items()]:
            future.result()
    if records:
        result.frame = pd.DataFrame(records, columns=GSC_COLUMNS)
        result.latest_reported = max(r[1] for r in records)
    return result
