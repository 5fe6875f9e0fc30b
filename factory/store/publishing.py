"""What was last generated, built and deployed for each site (`site_publishing`)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from psycopg import sql
from psycopg.rows import class_row

from factory.store.database import Database
from factory.store.errors import InvalidInput
from factory.store.models import PublishState

PUBLISH_FIELDS = ("content_model", "content_prompt_version", "content_hash", "build_hash",
                  "deployed_hash", "deployed_release")
# Each hash's timestamp follows it.
_STAMPS = {"content_hash": "content_generated_at", "build_hash": "built_at", "deployed_hash": "deployed_at"}


class Publishing:
    def __init__(self, db: Database):
        self.db = db

    def states(self, domains: Sequence[str]) -> dict[str, PublishState]:
        """The publishing row of each site that has one, by domain."""
        with self.db.connection() as conn:
            rows = conn.cursor(row_factory=class_row(PublishState)).execute(
                "select s.domain, p.content_model, p.content_prompt_version, p.content_hash, p.build_hash,"
                " p.deployed_hash, p.deployed_release from public.site_publishing p"
                " join public.sites s on s.id = p.site_id where s.domain = any(%s)", (list(domains),)).fetchall()
        return {r.domain: r for r in rows}

    def record(self, site_id: uuid.UUID, **values: Any) -> None:
        """Upsert some of PUBLISH_FIELDS (timestamps follow the hash they belong to)."""
        unknown = set(values) - set(PUBLISH_FIELDS)
        if unknown:
            raise InvalidInput(f"cannot record {', '.join(sorted(unknown))}")
        columns = dict(values)
        columns.update({_STAMPS[k]: dt.datetime.now(dt.timezone.utc) for k in values if k in _STAMPS})
        names = sql.SQL(", ").join(sql.Identifier(k) for k in columns)
        updates = sql.SQL(", ").join(sql.SQL("{0} = excluded.{0}").format(sql.Identifier(k)) for k in columns)
        with self.db.connection() as conn:
            conn.execute(
                sql.SQL("insert into public.site_publishing (site_id, {names}) values (%s, {params})"
                        " on conflict (site_id) do update set {updates}, updated_at = now()").format(
                    names=names, params=sql.SQL(", ").join(sql.Placeholder() * len(columns)), updates=updates),
                [site_id, *columns.values()])
