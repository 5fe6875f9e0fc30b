"""The audit log: every operator action from the CLI, the Hub and the UI (append-only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from psycopg import sql
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from factory.store.database import Database
from factory.store.errors import InvalidInput

SURFACES = ("cli", "hub", "ui", "dagster", "system")
RESULTS = ("ok", "refused", "failed", "started")


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    operator: str
    surface: str
    action: str
    target: str | None
    plan_hash: str | None
    result: str
    detail: dict[str, Any]


class AuditLog:
    def __init__(self, db: Database):
        self.db = db

    def record(self, operator: str, surface: str, action: str, *, target: str | None = None,
               plan_hash: str | None = None, result: str = "ok", detail: dict[str, Any] | None = None) -> None:
        if surface not in SURFACES or result not in RESULTS:
            raise InvalidInput(f"audit: surface must be one of {SURFACES} and result one of {RESULTS}")
        with self.db.connection() as conn:
            conn.execute("insert into public.audit_log (operator, surface, action, target, plan_hash, result, detail)"
                         " values (%s, %s, %s, %s, %s, %s, %s)",
                         (operator[:254], surface, action[:100], (target or "")[:500] or None, plan_hash, result,
                          Jsonb(detail or {})))

    def entries(self, *, operator: str | None = None, action: str | None = None, target: str | None = None,
                since: dt.datetime | None = None, limit: int = 100, offset: int = 0) -> tuple[list[AuditEntry], int]:
        clauses, params = [], []
        for column, value in (("operator", operator), ("action", action), ("target", target)):
            if value:
                clauses.append(sql.SQL("{} = %s").format(sql.Identifier(column)))
                params.append(value)
        if since:
            clauses.append(sql.SQL("at >= %s"))
            params.append(since)
        where = sql.SQL(" where ") + sql.SQL(" and ").join(clauses) if clauses else sql.SQL("")
        with self.db.connection() as conn:
            total = conn.execute(sql.SQL("select count(*) from public.audit_log") + where, params).fetchone()[0]
            rows = conn.cursor(row_factory=class_row(AuditEntry)).execute(
                sql.SQL("select id, at, operator, surface, action, target, plan_hash, result, detail"
                        " from public.audit_log") + where + sql.SQL(" order by id desc limit %s offset %s"),
                [*params, limit, offset]).fetchall()
        return rows, total
