"""Plans as they were shown to an operator, kept with their hash (`plans`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from factory.store.database import Database
from factory.store.errors import NotFound


@dataclass(frozen=True)
class StoredPlan:
    hash: str
    created_at: dt.datetime
    created_by: str
    selection: dict[str, Any]
    summary: dict[str, Any]
    body: dict[str, Any]
    action: str
    applied_at: dt.datetime | None
    applied_by: str | None


class Plans:
    def __init__(self, db: Database):
        self.db = db

    def save(self, hash_: str, created_by: str, selection: dict, summary: dict, body: dict,
             action: str = "apply") -> StoredPlan:
        """Store a plan; the same plan (same hash) shown again keeps its first record."""
        with self.db.connection() as conn:
            conn.execute(
                "insert into public.plans (hash, created_by, selection, summary, body, action)"
                " values (%s, %s, %s, %s, %s, %s) on conflict (hash) do nothing",
                (hash_, created_by, Jsonb(selection), Jsonb(summary), Jsonb(body), action))
        return self.get(hash_)

    def get(self, hash_: str) -> StoredPlan:
        with self.db.connection() as conn:
            row = conn.cursor(row_factory=dict_row).execute(
                "select hash, created_at, created_by, selection, summary, body, action, applied_at, applied_by"
                " from public.plans where hash = %s", (hash_,)).fetchone()
        if row is None:
            raise NotFound(f"no plan {hash_!r}; make one with `factory plan` (or the Hub's Plan page)")
        return StoredPlan(**row)

    def mark_applied(self, hash_: str, operator: str) -> None:
        with self.db.connection() as conn:
            conn.execute("update public.plans set applied_at = now(), applied_by = %s where hash = %s",
                         (operator, hash_))

    def recent(self, limit: int = 50) -> list[StoredPlan]:
        with self.db.connection() as conn:
            rows = conn.cursor(row_factory=dict_row).execute(
                "select hash, created_at, created_by, selection, summary, body, action, applied_at, applied_by"
                " from public.plans order by created_at desc limit %s", (limit,)).fetchall()
        return [StoredPlan(**r) for r in rows]
