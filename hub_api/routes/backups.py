"""Backups of the stack's databases (made by `factory backup serve`, the compose `backup` service):
what exists, when the next is due, and whether the schedule has fallen behind."""

from __future__ import annotations

from fastapi import APIRouter

from factory import backup
from hub_api.deps import SettingsDep
from hub_api.schemas.backups import BackupsOut
from hub_api.strict_json import StrictJsonRoute

router = APIRouter(route_class=StrictJsonRoute, tags=["backups"])


@router.get("/backups", response_model=BackupsOut, operation_id="list_backups")
def list_backups(settings: SettingsDep) -> BackupsOut:
    """The complete backups (newest first, sizes per database), the next due time, and `overdue`
    when there is none or the latest is older than twice FACTORY_BACKUP_INTERVAL_HOURS."""
    return BackupsOut.model_validate(backup.status(settings))
