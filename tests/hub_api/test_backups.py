"""Backups in the Hub: none yet is overdue; a backup made by `factory backup` is listed with its
databases' sizes and clears it; signed-out callers learn nothing."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from factory import backup
from hub_api.main import create_app
from tests.hub_api.conftest import hub_settings, mint_token, OPERATOR


def test_backups_listed_with_sizes_and_overdue_until_one_exists(hub_store, clean_db, fake_dagster, tmp_path) -> None:
    settings = hub_settings(clean_db, FACTORY_BACKUP_DIR=str(tmp_path / "backups"), FACTORY_BACKUP_DATABASES="factory")
    app = create_app(settings, store=hub_store, dagster=fake_dagster)
    auth = {"Authorization": f"Bearer {mint_token(app, hub_store, OPERATOR)}"}
    with TestClient(app) as client:
        assert client.get("/api/backups").status_code == 401
        empty = client.get("/api/backups", headers=auth).json()
        assert empty["backups"] == [] and empty["overdue"] is True and empty["interval_hours"] == 24

        made = backup.run_backup(settings)
        body = client.get("/api/backups", headers=auth).json()
        assert body["overdue"] is False and [b["name"] for b in body["backups"]] == [made.name]
        [listed] = body["backups"]
        assert set(listed["databases"]) == {"factory"} and listed["bytes"] == listed["databases"]["factory"] > 1000
        assert dt.datetime.fromisoformat(body["next_due_at"]) == made.created_at + dt.timedelta(hours=24)
        assert "postgresql://" not in str(body)
