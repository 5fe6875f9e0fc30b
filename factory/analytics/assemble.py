"""One row per (date, site) from the fetched frames, with the NULL rules of daily_analytics:
no Matomo id or no verified property -> NULL for that source; a source that failed keeps what
was already stored (a failure must not overwrite good numbers with NULL)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import pandas as pd

from factory.analytics.matomo import MatomoVisits, failed_days
from factory.analytics.search_console import SearchAnalytics, is_verified
from factory.store import AnalyticsRow, Site

VALUE_COLUMNS = ["matomo_visits", "gsc_clicks", "gsc_impressions"]


def first_day(site: Site) -> dt.date:
    """The first day a site gets rows: the (UTC) day it was added."""
    return site.created_at.astimezone(dt.UTC).date()


def site_windows(sites: Sequence[Site], start: dt.date, end: dt.date) -> dict[uuid.UUID, tuple[dt.date, dt.date]]:
    windows = {}
    for site in sites:
        first = max(start, first_day(site))
        if first <= end:
            windows[site.id] = (first, end)
    return windows


def grid(sites: Sequence[Site], start: dt.date, end: dt.date) -> pd.DataFrame:
    """Every (site, date) that must have a row: from the site's first day to the end."""
    frame = pd.DataFrame({
        "site_id": pd.Series([s.id for s in sites], dtype=object),  # UUIDs, also when no site (not float64)
        "domain": [s.domain for s in sites],
        "matomo_site_id": pd.array([s.matomo_site_id for s in sites], dtype="Int64"),
        "gsc_verified": [is_verified(s) for s in sites],
        "first_day": pd.to_datetime([first_day(s) for s in sites]),
    })
    days = pd.DataFrame({"date": pd.date_range(start, end, freq="D")})
    out = frame.merge(days, how="cross")
    return out[out["date"] >= out["first_day"]].drop(columns="first_day").reset_index(drop=True)


def _dated(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(date=pd.to_datetime(frame["date"]))


def assemble(sites: Sequence[Site], start: dt.date, end: dt.date, visits: MatomoVisits, gsc: SearchAnalytics,
             existing: Sequence[AnalyticsRow]) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Returns the rows (grid columns + VALUE_COLUMNS, nullable ints) and the gaps found:
    (domain, what) for each site whose source could not be read."""
    rows = grid(sites, start, end)
    gaps: list[tuple[str, str]] = []

    v = _dated(visits.frame).astype({"matomo_site_id": "Int64", "matomo_visits": "Int64"})
    rows = rows.merge(v, on=["matomo_site_id", "date"], how="left")
    has_matomo = rows["matomo_site_id"].notna()
    chunk_failed = rows["date"].dt.date.isin(failed_days(visits.failed))
    unanswered = has_matomo & ~chunk_failed & rows["matomo_visits"].isna()
    for domain in rows.loc[unanswered, "domain"].unique():
        gaps.append((domain, "Matomo returned no data for its site id"))
    matomo_failed = has_matomo & (chunk_failed | unanswered)

    g = _dated(gsc.frame).astype({"gsc_clicks": "Int64", "gsc_impressions": "Int64"})
    rows = rows.merge(g, on=["site_id", "date"], how="left")
    gsc_failed = rows["site_id"].isin(gsc.failed.keys())
    # Search Console omits days without impressions; a day it has reported for other properties
    # is a real 0, a newer day is not reported yet (NULL until a later run fills it in).
    reported = rows["date"].dt.date <= gsc.latest_reported if gsc.latest_reported else False
    zero = rows["gsc_verified"] & ~gsc_failed & rows["gsc_clicks"].isna() & reported
    rows.loc[zero, ["gsc_clicks", "gsc_impressions"]] = 0

    if (matomo_failed | gsc_failed).any():
        old = pd.DataFrame([(r.date, r.site_id, r.matomo_visits, r.gsc_clicks, r.gsc_impressions) for r in existing],
                           columns=["date", "site_id", *VALUE_COLUMNS])
        old = _dated(old).astype({c: "Int64" for c in VALUE_COLUMNS})
        rows = rows.merge(old, on=["site_id", "date"], how="left", suffixes=("", "_stored"))
        rows.loc[matomo_failed, "matomo_visits"] = rows.loc[matomo_failed, "matomo_visits_stored"]
        for c in ("gsc_clicks", "gsc_impressions"):
            rows.loc[gsc_failed, c] = rows.loc[gsc_failed, f"{c}_stored"]
        rows = rows.drop(columns=[f"{c}_stored" for c in VALUE_COLUMNS])
    return rows, gaps


def to_rows(frame: pd.DataFrame) -> list[AnalyticsRow]:
    values = frame[VALUE_COLUMNS].astype(object).where(frame[VALUE_COLUMNS].notna(), None)
    return [AnalyticsRow(d.date(), s, m, c, i) for d, s, m, c, i in zip(
        frame["date"], frame["site_id"], values["matomo_visits"], values["gsc_clicks"], values["gsc_impressions"])]


def totals(frame: pd.DataFrame) -> dict[str, int]:
    return {c: int(frame[c].sum(skipna=True)) for c in VALUE_COLUMNS}


def top_sites_markdown(frame: pd.DataFrame, n: int = 10) -> str:
    per_site = (frame.groupby("domain")[VALUE_COLUMNS].sum(min_count=1)
                .sort_values(["matomo_visits", "gsc_clicks"], ascending=False, na_position="last").head(n))
    lines = ["| site | visits | clicks | impressions |", "|---|---:|---:|---:|"]
    for domain, r in per_site.iterrows():
        cells = ["–" if pd.isna(r[c]) else f"{int(r[c]):,}" for c in VALUE_COLUMNS]
        lines.append(f"| {domain} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
