"""Daily analytics rows (`daily_analytics`) and the aggregates the Hub shows."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from psycopg import sql
from psycopg.rows import class_row, dict_row

from factory.store.database import Database
from factory.store.errors import InvalidInput
from factory.store.models import AnalyticsRow
from factory.store.validation import like_pattern


class Analytics:
    def __init__(self, db: Database):
        self.db = db

    def upsert(self, rows: Iterable[AnalyticsRow]) -> int:
        """Insert or replace rows keyed by (date, site_id); returns how many were written."""
        batch = [(r.date, r.site_id, r.matomo_visits, r.gsc_clicks, r.gsc_impressions) for r in rows]
        if not batch:
            return 0
        with self.db.connection() as conn:
            with conn.cursor() as cur:
                cur.execute(
                    "create temp table _analytics (like public.daily_analytics including defaults) on commit drop"
                )
                with cur.copy(
                    "copy _analytics (date, site_id, matomo_visits, gsc_clicks, gsc_impressions) from stdin"
                ) as copy:
                    for record in batch:
                        copy.write_row(record)
                cur.execute(
                    "insert into public.daily_analytics select distinct on (date, site_id) * from _analytics"
                    " on conflict (date, site_id) do update set matomo_visits = excluded.matomo_visits,"
                    " gsc_clicks = excluded.gsc_clicks, gsc_impressions = excluded.gsc_impressions"
                )
        return len(batch)

    def rows(
        self, start: dt.date, end: dt.date, site_ids: Sequence[uuid.UUID] | None = None
    ) -> list[AnalyticsRow]:
        """Rows with start <= date <= end, ordered by date then site."""
        query = "select date, site_id, matomo_visits, gsc_clicks, gsc_impressions from public.daily_analytics" \
                " where date between %s and %s"
        params: list[Any] = [start, end]
        if site_ids is not None:
            query += " and site_id = any(%s)"
            params.append(list(site_ids))
        with self.db.connection() as conn:
            cur = conn.cursor(row_factory=class_row(AnalyticsRow))
            return cur.execute(query + " order by date, site_id", params).fetchall()

    def page(
        self, start: dt.date, end: dt.date, site_ids: Sequence[uuid.UUID] | None = None,
        limit: int = 1000, offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        """Daily rows (with the site's domain), ordered by date then domain, and their count."""
        where = " where a.date between %s and %s"
        params: list[Any] = [start, end]
        if site_ids is not None:
            where += " and a.site_id = any(%s)"
            params.append(list(site_ids))
        with self.db.connection() as conn:
            cur = conn.cursor(row_factory=dict_row)
            total = cur.execute("select count(*) as n from public.daily_analytics a" + where, params).fetchone()["n"]
            rows = cur.execute(
                "select a.date, a.site_id, s.domain, a.matomo_visits, a.gsc_clicks, a.gsc_impressions"
                " from public.daily_analytics a join public.sites s on s.id = a.site_id" + where
                + " order by a.date, s.domain limit %s offset %s", [*params, limit, offset],
            ).fetchall()
        return rows, total

    def site_totals(
        self, start: dt.date, end: dt.date, *, search: str | None = None, order_by: str = "matomo_visits",
        descending: bool = True, limit: int = 50, offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        """Per-site sums over the date range (every site, zeros where no rows), and the site count."""
        if order_by not in ("domain", "days", "matomo_visits", "gsc_clicks", "gsc_impressions"):
            raise InvalidInput(f"cannot sort by {order_by!r}")
        where = sql.SQL("")
        params: list[Any] = [start, end]
        if search:
            where = sql.SQL(" where lower(s.domain) ilike %s or s.brand_name ilike %s")  # the trigram index
            pattern = like_pattern(search)
            params += [pattern, pattern]
        direction = sql.SQL("desc nulls last" if descending else "asc nulls first")
        query = sql.SQL(
            "select s.id as site_id, s.domain, count(a.date)::int as days,"
            " coalesce(sum(a.matomo_visits), 0)::bigint as matomo_visits,"
            " coalesce(sum(a.gsc_clicks), 0)::bigint as gsc_clicks,"
            " coalesce(sum(a.gsc_impressions), 0)::bigint as gsc_impressions,"
            " count(*) over () as total"
            " from public.sites s left join public.daily_analytics a"
            " on a.site_id = s.id and a.date between %s and %s{where}"
            " group by s.id, s.domain order by {col} {dir}, s.domain limit %s offset %s"
        ).format(where=where, col=sql.Identifier(order_by), dir=direction)
        with self.db.connection() as conn:
            rows = conn.cursor(row_factory=dict_row).execute(query, [*params, limit, offset]).fetchall()
            if rows:
                total = rows[0]["total"]
            else:
                total = conn.execute(sql.SQL("select count(*) from public.sites s") + where, params[2:]).fetchone()[0]
        for row in rows:
            row.pop("total")
        return rows, total

    def fleet_totals(self, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
        """Fleet totals per day (from the rollup the triggers keep), oldest first."""
        with self.db.connection() as conn:
            return conn.cursor(row_factory=dict_row).execute(
                "select date, sites, matomo_visits, gsc_clicks, gsc_impressions"
                " from public.fleet_daily_analytics where date between %s and %s order by date", (start, end),
            ).fetchall()
