"""The quality gate's verdicts per site and build (`site_quality`) and the fleet's near-duplicate
pairs as the last check found them (`near_duplicate_pairs`)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from factory.store.database import Database


@dataclass(frozen=True)
class QualityVerdict:
    """One build's verdict: scores per category (0-100), failing audits, pass, preview."""

    domain: str
    build_hash: str
    passed: bool
    scores: dict[str, int]
    thresholds: dict[str, int]
    pages: dict[str, dict[str, int]] = field(default_factory=dict)
    audits: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    message: str | None = None
    preview_path: str | None = None
    checked_at: dt.datetime | None = None

    def failed_audits(self) -> list[dict]:
        """The failing audits of the categories below their threshold (what stopped the build)."""
        below = {c for c, t in self.thresholds.items() if self.scores.get(c, 0) < t}
        return [a for a in self.audits if set(a.get("categories", ())) & below]


@dataclass(frozen=True)
class DuplicatePair:
    a: str  # domains, a < b
    b: str
    jaccard: float
    max_page_jaccard: float
    pages: list[dict]
    found_at: dt.datetime | None = None


_VERDICT = """
select s.domain, q.build_hash, q.passed, q.scores, q.thresholds, q.pages, q.audits, q.errors, q.message,
       q.preview_path, q.checked_at
  from public.site_quality q join public.sites s on s.id = q.site_id"""


class Quality:
    def __init__(self, db: Database):
        self.db = db

    # -- the gate --------------------------------------------------------------------------------
    def record(self, site_id: uuid.UUID, build_hash: str, verdict: Mapping[str, Any],
               preview_path: str | None = None) -> None:
        """Store a build's verdict (`SiteQuality.as_dict()`), replacing an earlier one of the same build."""
        with self.db.connection() as conn:
            conn.execute(
                "insert into public.site_quality (site_id, build_hash, passed, scores, thresholds, pages, audits,"
                " errors, message, preview_path) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " on conflict (site_id, build_hash) do update set passed = excluded.passed,"
                " scores = excluded.scores, thresholds = excluded.thresholds, pages = excluded.pages,"
                " audits = excluded.audits, errors = excluded.errors, message = excluded.message,"
                " preview_path = coalesce(excluded.preview_path, site_quality.preview_path), checked_at = now()",
                (site_id, build_hash, bool(verdict["passed"]), Jsonb(verdict.get("scores") or {}),
                 Jsonb(verdict.get("thresholds") or {}), Jsonb(verdict.get("pages") or {}),
                 Jsonb(list(verdict.get("audits") or [])), Jsonb(list(verdict.get("errors") or [])),
                 verdict.get("message"), preview_path))

    def of_builds(self, builds: Mapping[str, str]) -> dict[str, QualityVerdict]:
        """The verdict of each {domain: build_hash} that has one."""
        if not builds:
            return {}
        with self.db.connection() as conn:
            rows = conn.cursor(row_factory=dict_row).execute(
                _VERDICT + " join unnest(%s::text[], %s::text[]) as b(domain, build_hash)"
                " on b.domain = s.domain and b.build_hash = q.build_hash",
                (list(builds), list(builds.values()))).fetchall()
        return {r["domain"]: QualityVerdict(**r) for r in rows}

    def latest(self, domain: str) -> QualityVerdict | None:
        """The site's most recent verdict (of its latest checked build)."""
        with self.db.connection() as conn:
            row = conn.cursor(row_factory=dict_row).execute(
                _VERDICT + " where s.domain = %s order by q.checked_at desc limit 1", (domain,)).fetchone()
        return QualityVerdict(**row) if row else None

    def history(self, domain: str, limit: int = 20) -> list[QualityVerdict]:
        with self.db.connection() as conn:
            rows = conn.cursor(row_factory=dict_row).execute(
                _VERDICT + " where s.domain = %s order by q.checked_at desc limit %s", (domain, limit)).fetchall()
        return [QualityVerdict(**r) for r in rows]

    # -- near-duplicates -------------------------------------------------------------------------
    def replace_duplicates(self, pairs: Sequence[Mapping[str, Any]]) -> int:
        """Make the stored pairs exactly `pairs` ({"a", "b", "jaccard", "max_page_jaccard", "pages"},
        domains), in one transaction; pairs naming a site no longer in the table are dropped."""
        with self.db.connection() as conn:
            conn.execute("delete from public.near_duplicate_pairs")
            stored = 0
            for pair in pairs:
                a, b = sorted((pair["a"], pair["b"]))
                stored += conn.execute(
                    "insert into public.near_duplicate_pairs (site_a, site_b, jaccard, max_page_jaccard, pages)"
                    " select sa.id, sb.id, %s, %s, %s from public.sites sa, public.sites sb"
                    " where sa.domain = %s and sb.domain = %s",
                    (float(pair["jaccard"]), float(pair["max_page_jaccard"]), Jsonb(list(pair["pages"])), a, b)
                ).rowcount
        return stored

    def duplicates(self, domain: str | None = None) -> list[DuplicatePair]:
        """The stored pairs (of one site, if given), most similar first."""
        query = ("select sa.domain as a, sb.domain as b, p.jaccard, p.max_page_jaccard, p.pages, p.found_at"
                 " from public.near_duplicate_pairs p join public.sites sa on sa.id = p.site_a"
                 " join public.sites sb on sb.id = p.site_b")
        params: list[Any] = []
        if domain is not None:
            query += " where sa.domain = %s or sb.domain = %s"
            params += [domain, domain]
        with self.db.connection() as conn:
            rows = conn.cursor(row_factory=dict_row).execute(
                query + " order by p.max_page_jaccard desc, sa.domain, sb.domain", params).fetchall()
        return [DuplicatePair(**r) for r in rows]
