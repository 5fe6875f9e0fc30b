"""The whole refresh of a range of days: fetch both vendors, assemble, upsert, report gaps."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pandas as pd

from factory.analytics.assemble import assemble, site_windows, to_rows
from factory.analytics.matomo import VISITS_COLUMNS, MatomoVisits, fetch_visits
from factory.analytics.search_console import DEFAULT_WORKERS, fetch_search_analytics
from factory.clients import Clients
from factory.store import Store


@dataclass
class RefreshResult:
    start: dt.date
    end: dt.date
    frame: pd.DataFrame
    sites: int
    rows_written: int
    missing: list[str] = field(default_factory=list)  # what could not be read; empty = complete
    api_calls: dict[str, int] = field(default_factory=dict)
    fetch_s: float = 0.0
    db_write_s: float = 0.0


def _names(domains: list[str], limit: int = 10) -> str:
    shown = ", ".join(sorted(domains)[:limit])
    return shown + (f" and {len(domains) - limit} more" if len(domains) > limit else "")


def refresh_daily_analytics(clients: Clients, start: dt.date,
                            end: dt.date, *, workers: int = DEFAULT_WORKERS) -> RefreshResult:
    store = clients.store
    all_sites = store.sites.list()
    windows = site_windows(all_sites, start, end)
    sites = [s for s in all_sites if s.id in windows]  # sites added after the range have no rows
    started = time.perf_counter()
    n_matomo = sum(1 for s in sites if s.matomo_site_id is not None)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="matomo") as pool:
        # The one Matomo request runs while the Search Console queries do.
        pending = pool.submit(fetch_visits, clients.matomo(), start, end, n_matomo) if n_matomo else None
        gsc = fetch_search_analytics(clients, sites, windows, workers)
        visits = pending.result() if pending else MatomoVisits(pd.DataFrame(columns=VISITS_COLUMNS))
    fetch_s = time.perf_counter() - started

    answered = set(visits.frame["matomo_site_id"].astype(int))
    matomo_gaps = {s.id for s in sites if s.matomo_site_id and (visits.failed or s.matomo_site_id not in answered)}
    failed_ids = set(gsc.failed) | matomo_gaps
    existing = store.analytics.rows(start, end, sorted(failed_ids)) if failed_ids else []
    frame, gaps = assemble(sites, start, end, visits, gsc, existing)

    rows = to_rows(frame)
    started = time.perf_counter()
    written = store.analytics.upsert(rows)
    db_write_s = time.perf_counter() - started

    missing = [f"Matomo visits {a}..{b} for every site: {reason}" for a, b, reason in visits.failed]
    by_reason: dict[str, list[str]] = defaultdict(list)
    domains = {s.id: s.domain for s in sites}
    for site_id, reason in gsc.failed.items():
        by_reason[reason].append(domains[site_id])
    missing += [f"Search Console for {_names(ds)}: {reason}" for reason, ds in by_reason.items()]
    missing += [f"Matomo for {domain}: {what}" for domain, what in gaps]
    return RefreshResult(start, end, frame, len(sites), written, missing,
                         {"matomo": visits.calls, "search_console": gsc.calls, "google_token": gsc.token_refreshes},
                         fetch_s, db_write_s)


def sites_missing_days(store: Store, start: dt.date, end: dt.date) -> list[tuple[str, int]]:
    """(domain, days without a row) for every site that existed in the range (the asset check);
    counted in SQL per site rather than reading the rows back."""
    sites = store.sites.list()
    windows = site_windows(sites, start, end)
    counts, _ = store.analytics.site_totals(start, end, order_by="domain", descending=False,
                                            limit=len(sites) + 1)
    have = {r["site_id"]: r["days"] for r in counts}
    gaps = []
    for site in sites:
        if site.id in windows:
            first, last = windows[site.id]
            missing = (last - first).days + 1 - have.get(site.id, 0)
            if missing > 0:
                gaps.append((site.domain, missing))
    return gaps
