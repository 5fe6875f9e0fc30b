from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class BackupOut(BaseModel):
    name: str = Field(description="The backup's folder: the UTC time it started (factory backup restore NAME).")
    created_at: dt.datetime
    finished_at: dt.datetime | None
    databases: dict[str, int] = Field(description="Bytes of each database's dump (factory, dagster, directus).")
    bytes: int


class BackupsOut(BaseModel):
    backups: list[BackupOut] = Field(description="Complete backups, newest first.")
    interval_hours: float
    keep: int
    next_due_at: dt.datetime
    overdue: bool = Field(description="No backup yet, or the latest is older than twice the interval.")
