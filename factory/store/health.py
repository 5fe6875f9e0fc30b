"""Problems a health sweep found on the sites (`site_health`), open and resolved.

A sweep records what it found in one transaction: a problem seen again keeps its first sighting
(and its alert) and moves `last_seen`; a problem it checked for and did not see again is resolved
(`resolved_at`), its row kept as history. Alerts mark the rows they announced, so each open
problem is announced once and its resolution once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from psycopg.rows import class_row

from factory.store.database import Database
from factory.store.errors import InvalidInput

STATUSES = ("ok", "warn", "fail")
MAX_TEXT = 2000


@dataclass(frozen=True)
class Finding:
    """One problem on one site, as a check saw it."""

    site_id: uuid.UUID
    check_kind: str
    subject: str
    status: str  # warn | fail
    cause: str  # the problem without the site's name: what sites sharing it are grouped by
    observed: str | None = None
    expected: str | None = None


@dataclass(frozen=True)
class Problem:
    id: int
    site_id: uuid.UUID
    domain: str
    check_kind: str
    subject: str
    status: str
    cause: str
    observed: str | None
    expected: str | None
    first_seen: dt.datetime
    last_seen: dt.datetime
    resolved_at: dt.datetime | None
    alerted_at: dt.datetime | None
    resolved_alerted_at: dt.datetime | None

    @property
    def open(self) -> bool:
        return self.resolved_at is None


@dataclass(frozen=True)
class Recorded:
    opened: list[Problem]  # first seen by this sweep
    still_open: list[Problem]  # seen before and again
    resolved: list[Problem]  # checked for and gone


_COLUMNS = ("h.id, h.site_id, s.domain, h.check_kind, h.subject, h.status, h.cause, h.observed, h.expected,"
            " h.first_seen, h.last_seen, h.resolved_at, h.alerted_at, h.resolved_alerted_at")
_FROM = " from public.site_health h join public.sites s on s.id = h.site_id"


def _clip(value: str | None) -> str | None:
    return value[:MAX_TEXT] if value is not None else None


class Health:
    def __init__(self, db: Database):
        self.db = db

    # -- writing ------------------------------------------------------------------------------
    def record(self, findings: Sequence[Finding], covered: Iterable[tuple[uuid.UUID, str]],
               *, now: dt.datetime | None = None) -> Recorded:
        """Store one sweep: `findings` are open now; any open problem of a (site, check kind) in
        `covered` that is not among them is resolved. Checks the sweep could not run are not in
        `covered`, so their problems stay as they were."""
        for f in findings:
            if f.status not in ("warn", "fail"):
                raise InvalidInput(f"a problem's status is warn or fail, not {f.status!r}")
        now = now or dt.datetime.now(dt.UTC)
        covered = set(covered) | {(f.site_id, f.check_kind) for f in findings}
        seen_keys = {(f.site_id, f.check_kind, f.subject) for f in findings}
        opened: list[int] = []
        again: list[int] = []
        with self.db.connection() as conn:
            for f in findings:
                row = conn.execute(
                    "insert into public.site_health (site_id, check_kind, subject, status, cause, observed, expected,"
                    " first_seen, last_seen) values (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
                    " on conflict (site_id, check_kind, subject) where resolved_at is null do update set"
                    " last_seen = excluded.last_seen, status = excluded.status, cause = excluded.cause,"
                    " observed = excluded.observed, expected = excluded.expected"
                    " returning id, (xmax = 0)",
                    (f.site_id, f.check_kind, f.subject, f.status, _clip(f.cause), _clip(f.observed),
                     _clip(f.expected), now, now)).fetchone()
                (opened if row[1] else again).append(row[0])
            sites = sorted({s for s, _ in covered})
            candidates = conn.execute(
                "select id, site_id, check_kind, subject from public.site_health"
                " where resolved_at is null and site_id = any(%s)", (sites,)).fetchall()
            gone = [i for i, site, kind, subject in candidates
                    if (site, kind) in covered and (site, kind, subject) not in seen_keys]
            if gone:
                conn.execute("update public.site_health set resolved_at = %s where id = any(%s)", (now, gone))
        by_id = {p.id: p for p in self._by_ids(opened + again + gone)}
        return Recorded([by_id[i] for i in opened], [by_id[i] for i in again], [by_id[i] for i in gone])

    def mark_alerted(self, ids: Sequence[int], *, now: dt.datetime | None = None) -> None:
        with self.db.connection() as conn:
            conn.execute("update public.site_health set alerted_at = %s where id = any(%s) and alerted_at is null",
                         (now or dt.datetime.now(dt.UTC), list(ids)))

    def mark_resolved_alerted(self, ids: Sequence[int], *, now: dt.datetime | None = None) -> None:
        with self.db.connection() as conn:
            conn.execute("update public.site_health set resolved_alerted_at = %s"
                         " where id = any(%s) and resolved_alerted_at is null",
                         (now or dt.datetime.now(dt.UTC), list(ids)))

    # -- reading ------------------------------------------------------------------------------
    def _by_ids(self, ids: Sequence[int]) -> list[Problem]:
        if not ids:
            return []
        with self.db.connection() as conn:
            return conn.cursor(row_factory=class_row(Problem)).execute(
                f"select {_COLUMNS}{_FROM} where h.id = any(%s) order by h.id", (list(ids),)).fetchall()

    def problems(self, *, domain: str | None = None, site_id: uuid.UUID | None = None,
                 check_kind: str | None = None, status: str | None = None, open_only: bool = True,
                 limit: int = 1000) -> list[Problem]:
        """Problems, newest first; open ones only unless `open_only` is False (then history too).
        `check_kind` matches a kind or a family (`drift` matches `drift.dns`, ...)."""
        if status is not None and status not in STATUSES:
            raise InvalidInput(f"status is one of {', '.join(STATUSES)}")
        where, params = [], []
        if open_only:
            where.append("h.resolved_at is null")
        if domain:
            where.append("s.domain = %s")
            params.append(domain.lower())
        if site_id:
            where.append("h.site_id = %s")
            params.append(site_id)
        if check_kind:
            where.append("(h.check_kind = %s or h.check_kind like %s)")
            params += [check_kind, check_kind + ".%"]
        if status:
            where.append("h.status = %s")
            params.append(status)
        query = f"select {_COLUMNS}{_FROM}" + (" where " + " and ".join(where) if where else "")
        with self.db.connection() as conn:
            return conn.cursor(row_factory=class_row(Problem)).execute(
                query + " order by h.first_seen desc, h.id desc limit %s", [*params, limit]).fetchall()

    def open_sites(self, check_kind: str, site_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these sites have an open problem of this check kind."""
        if not site_ids:
            return set()
        with self.db.connection() as conn:
            rows = conn.execute("select distinct site_id from public.site_health where resolved_at is null"
                                " and check_kind = %s and site_id = any(%s)", (check_kind, list(site_ids))).fetchall()
        return {r[0] for r in rows}

    def unalerted(self) -> list[Problem]:
        """Open problems no alert has announced yet."""
        with self.db.connection() as conn:
            return conn.cursor(row_factory=class_row(Problem)).execute(
                f"select {_COLUMNS}{_FROM} where h.resolved_at is null and h.alerted_at is null"
                " order by h.id").fetchall()

    def resolved_unannounced(self) -> list[Problem]:
        """Resolved problems that were announced open and whose resolution was not yet."""
        with self.db.connection() as conn:
            return conn.cursor(row_factory=class_row(Problem)).execute(
                f"select {_COLUMNS}{_FROM} where h.resolved_at is not null and h.alerted_at is not null"
                " and h.resolved_alerted_at is null order by h.id").fetchall()

    def summary(self) -> dict:
        """Open problems by check kind (problems, sites, worst status) and in all."""
        with self.db.connection() as conn:
            rows = conn.execute(
                "select check_kind, count(*), count(distinct site_id), bool_or(status = 'fail')"
                " from public.site_health where resolved_at is null group by check_kind order by check_kind").fetchall()
            sites, last = conn.execute(
                "select (select count(distinct site_id) from public.site_health where resolved_at is null),"
                " (select max(last_seen) from public.site_health)").fetchone()
        kinds = [{"check_kind": k, "problems": n, "sites": s, "status": "fail" if f else "warn"}
                 for k, n, s, f in rows]
        return {"open_problems": sum(k["problems"] for k in kinds), "sites_affected": sites, "kinds": kinds,
                "last_seen": last}

    def digest_sent(self, day: dt.date) -> dt.datetime | None:
        """When the daily digest of this UTC day was sent (None: not yet)."""
        with self.db.connection() as conn:
            row = conn.execute("select sent_at from public.alert_digests where day = %s", (day,)).fetchone()
        return row[0] if row else None

    def claim_digest(self, day: dt.date, open_problems: int, sites_affected: int) -> bool:
        """Claim the day's digest: True for the one caller that may send it."""
        with self.db.connection() as conn:
            row = conn.execute("insert into public.alert_digests (day, open_problems, sites_affected)"
                               " values (%s, %s, %s) on conflict (day) do nothing returning day",
                               (day, open_problems, sites_affected)).fetchone()
        return row is not None

    def release_digest(self, day: dt.date) -> None:
        """Un-claim a day whose digest could not be sent (the next attempt sends it)."""
        with self.db.connection() as conn:
            conn.execute("delete from public.alert_digests where day = %s", (day,))

    def resolved_since(self, since: dt.datetime) -> list[Problem]:
        """Problems resolved at or after `since`."""
        with self.db.connection() as conn:
            return conn.cursor(row_factory=class_row(Problem)).execute(
                f"select {_COLUMNS}{_FROM} where h.resolved_at >= %s order by h.id", (since,)).fetchall()

    def trend(self, days: int = 14, *, now: dt.datetime | None = None) -> list[dict]:
        """Per day (UTC) of the last `days`: problems open at the end of that day."""
        now = now or dt.datetime.now(dt.UTC)
        with self.db.connection() as conn:
            # The problems that can count (open, or resolved within the period) are read once; each
            # day then counts among those few, not among the whole history.
            rows = conn.execute(
                "with span as (select (%s::timestamptz at time zone 'UTC')::date - (%s - 1) as first,"
                "                     (%s::timestamptz at time zone 'UTC')::date as last),"
                " h as materialized (select h.first_seen, h.resolved_at from public.site_health h, span"
                "   where h.resolved_at is null or h.resolved_at >= span.first)"
                " select d::date, (select count(*) from h where h.first_seen < d + interval '1 day'"
                " and (h.resolved_at is null or h.resolved_at >= d + interval '1 day'))"
                " from span, generate_series(span.first, span.last, interval '1 day') d order by d",
                (now, days, now)).fetchall()
        return [{"date": d, "open_problems": n} for d, n in rows]
