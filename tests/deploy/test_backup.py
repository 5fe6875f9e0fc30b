"""`factory backup`: real pg_dump/pg_restore against the machine's Postgres. A backup restores what
was there (sites, encrypted tokens, analytics); a damaged backup is refused before anything is
touched; old backups are pruned; a half-written one is never offered; no password is printed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from factory import backup
from factory.cli.app import app
from factory.config import load_settings
from factory.store import AnalyticsRow, NewSite, Store


@pytest.fixture()
def env(clean_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "backups"
    monkeypatch.setenv("FACTORY_DATABASE_URL", clean_db)
    monkeypatch.setenv("FACTORY_BACKUP_DIR", str(root))
    monkeypatch.setenv("FACTORY_BACKUP_DATABASES", "factory")
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    return root


def _fleet(store: Store) -> None:
    store.cloudflare_accounts.add("ops@example.com", "main", "cf-token-123456")
    for domain in ("kept-one.com", "kept-two.com"):
        site = store.sites.add(NewSite(domain, "main", brand_name="Kept"))
        store.analytics.upsert([AnalyticsRow(dt.date(2026, 11, d), site.id, d * 10, d, d * 100) for d in range(1, 29)])


def _counts(url: str) -> tuple[int, int]:
    with psycopg.connect(url) as conn:
        return (conn.execute("select count(*) from public.sites").fetchone()[0],
                conn.execute("select count(*) from public.daily_analytics").fetchone()[0])


def _cli(*args: str):
    return CliRunner().invoke(app, list(args))


def test_a_backup_restores_sites_tokens_and_analytics(env: Path, clean_db: str) -> None:
    store = Store(clean_db)
    try:
        _fleet(store)
        made = _cli("backup", "run", "--json")
        assert made.exit_code == 0, made.output
        name = json.loads(made.stdout.strip().splitlines()[-1])["name"]
        assert _counts(clean_db) == (2, 56)

        # Disaster: a site and its analytics deleted, the account's token changed.
        with psycopg.connect(clean_db, autocommit=True) as conn:
            conn.execute("set factory.maintenance = 'on'")
            conn.execute("truncate public.daily_analytics, public.site_events, public.site_steps, public.sites cascade")
        assert _counts(clean_db) == (0, 0)

        listed = _cli("backup", "list", "--json")
        assert [b["name"] for b in json.loads(listed.stdout)["backups"]] == [name]
        restored = _cli("backup", "restore", "latest", "--yes")
        assert restored.exit_code == 0, restored.output
        assert f"restored factory from backup {name}" in restored.stdout
        assert _counts(clean_db) == (2, 56)
        fresh = Store(clean_db)
        try:  # the encrypted token still opens with the same FACTORY_SECRET_KEY
            [account] = fresh.cloudflare_accounts.list()
            assert fresh.cloudflare_accounts.credential(account.id) == "cf-token-123456"
        finally:
            fresh.close()
    finally:
        store.close()


def test_a_damaged_backup_is_refused_and_changes_nothing(env: Path, clean_db: str) -> None:
    store = Store(clean_db)
    try:
        _fleet(store)
        assert _cli("backup", "run").exit_code == 0
        [made] = backup.list_backups(env)
        dump = made.path / "factory.dump"
        dump.write_bytes(dump.read_bytes()[:-100] + b"\0" * 100)
        with psycopg.connect(clean_db, autocommit=True) as conn:
            conn.execute("set factory.maintenance = 'on'")
            conn.execute("delete from public.daily_analytics where date < '2026-11-15'")
        result = _cli("backup", "restore", made.name, "--yes")
        assert result.exit_code == 1 and "factory.dump is missing or damaged" in result.output
        assert _counts(clean_db) == (2, 28)  # untouched
        unknown = _cli("backup", "restore", "--yes", "--only", "matomo")
        assert unknown.exit_code == 1 and "unknown database matomo" in unknown.output
    finally:
        store.close()


def test_old_backups_are_pruned_and_partial_ones_never_offered(env: Path, clean_db: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACTORY_BACKUP_KEEP", "2")
    names = []
    for _ in range(3):
        result = _cli("backup", "run", "--json")
        assert result.exit_code == 0, result.output
        names.append(json.loads(result.stdout.strip().splitlines()[-1])["name"])
    (env / "20991231T000000Z.partial").mkdir()  # a backup that crashed half-way
    (env / "20991231T000000Z.partial" / "factory.dump").write_bytes(b"half")
    assert [b.name for b in backup.list_backups(env)] == sorted(names[1:], reverse=True)
    assert sorted(p.name for p in env.iterdir() if not p.name.endswith(".partial")) == sorted(names[1:])
    settings = load_settings()
    assert backup.due(settings) == backup.list_backups(env)[0].created_at + dt.timedelta(hours=24)
    assert _cli("backup", "serve", "--once").exit_code == 0  # not due: nothing made
    assert len(backup.list_backups(env)) == 2


def test_a_failing_database_is_named_without_its_password(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACTORY_DATABASE_URL", "postgresql://factory:s3cr3t-pass@127.0.0.1:1/factory")
    result = _cli("backup", "run")
    assert result.exit_code == 1
    assert "pg_dump postgresql://factory:***@127.0.0.1:1/factory failed" in result.output
    assert "s3cr3t-pass" not in result.output
    assert not env.exists() or not list(env.iterdir())  # nothing half-written left
