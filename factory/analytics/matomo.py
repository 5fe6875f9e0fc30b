"""Matomo visits for every site and day of a range: one `VisitsSummary.get idSite=all` request
per chunk of days (vendor-apis.md §4.5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from factory.vendors.matomo import MatomoClient
from factory.vendors.retry import VendorError

# Sites x days per request. With columns=nb_visits a cell is ~30 bytes of JSON, so a request
# stays at a few MB: 200 sites get ~500 days in one call; a large fleet is split by days.
MAX_CELLS = 100_000

VISITS_COLUMNS = ["matomo_site_id", "date", "matomo_visits"]


@dataclass
class MatomoVisits:
    frame: pd.DataFrame  # VISITS_COLUMNS; a present cell = Matomo answered for that site and day
    calls: int = 0
    failed: list[tuple[dt.date, dt.date, str]] = field(default_factory=list)  # (first, last, reason)


def day_chunks(start: dt.date, end: dt.date, n_sites: int, max_cells: int = MAX_CELLS) -> list[tuple[dt.date, dt.date]]:
    days_per_chunk = max(1, max_cells // max(1, n_sites))
    chunks = []
    first = start
    while first <= end:
        last = min(end, first + dt.timedelta(days=days_per_chunk - 1))
        chunks.append((first, last))
        first = last + dt.timedelta(days=1)
    return chunks


def parse_visits(body: Any) -> pd.DataFrame:
    """{"<idsite>": {"YYYY-MM-DD": {"nb_visits": n} | []}} -> rows. `[]` is a day without visits (0)."""
    records: list[tuple[int, dt.date, int]] = []
    if isinstance(body, dict):
        for idsite, per_date in body.items():
            if not isinstance(per_date, dict):
                continue  # [] for a site: Matomo has no data for it at all in the range
            for day, row in per_date.items():
                visits = int(row.get("nb_visits", 0)) if isinstance(row, dict) else 0
                records.append((int(idsite), dt.date.fromisoformat(day), visits))
    return pd.DataFrame(records, columns=VISITS_COLUMNS)


def fetch_visits(client: MatomoClient, start: dt.date, end: dt.date, n_sites: int,
                 max_cells: int = MAX_CELLS) -> MatomoVisits:
    result = MatomoVisits(pd.DataFrame(columns=VISITS_COLUMNS))
    frames: list[pd.DataFrame] = []
    for first, last in day_chunks(start, end, n_sites, max_cells):
        result.calls += 1
        try:
            frames.append(parse_visits(client.visits(first.isoformat(), last.isoformat())))
        except VendorError as exc:
            result.failed.append((first, last, str(exc)))
    if frames:
        result.frame = pd.concat(frames, ignore_index=True)
    return result


def failed_days(failed: Iterable[tuple[dt.date, dt.date, str]]) -> set[dt.date]:
    days = set()
    for first, last, _ in failed:
        days.update(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return days
