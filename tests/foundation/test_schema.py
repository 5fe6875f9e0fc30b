"""The migrated schema matches technical-design.md §2, column by column, on both Postgres flavours."""

from __future__ import annotations

import psycopg
import pytest

from factory import db

# (column, data_type, nullable, default contains) — straight from the spec's tables.
SPEC = {
    "cloudflare_accounts": [
        ("id", "uuid", False, "gen_random_uuid()"),
        ("created_at", "timestamp with time zone", False, "now()"),
        ("email", "text", False, None),
        ("account_nickname", "text", False, None),
        ("api_token", "text", False, None),
    ],
    "gsc_accounts": [
        ("id", "uuid", False, None),
        ("email", "text", False, None),
        ("oauth_refresh_token", "text", False, None),
        ("created_at", "timestamp with time zone", False, "now()"),
    ],
    "sites": [
        ("id", "uuid", False, None),
        ("created_at", "timestamp with time zone", False, "now()"),
        ("domain", "text", False, None),
        ("brand_name", "text", True, None),
        ("cloudflare_account_id", "uuid", False, None),
        ("gsc_account_id", "uuid", True, None),
        ("status_dns", "text", False, "'pending'"),
        ("status_hosting", "text", False, "'pending'"),
        ("status_content", "text", False, "'pending'"),
        ("status_deployment", "text", False, "'pending'"),
        ("hosting_doc_root", "text", True, None),
        ("matomo_site_id", "integer", True, None),
        ("gsc_verification_status", "text", False, "'pending'"),
        ("error_message", "text", True, None),
    ],
    "daily_analytics": [
        ("date", "date", False, None),
        ("site_id", "uuid", False, None),
        ("matomo_visits", "integer", True, None),
        ("gsc_clicks", "integer", True, None),
        ("gsc_impressions", "integer", True, None),
    ],
}
PRIMARY_KEYS = {
    "cloudflare_accounts": ["id"],
    "gsc_accounts": ["id"],
    "sites": ["id"],
    "daily_analytics": ["date", "site_id"],
}
UNIQUE = {("cloudflare_accounts", "email"), ("cloudflare_accounts", "account_nickname"),
          ("gsc_accounts", "email"), ("sites", "domain")}
FOREIGN_KEYS = {
    ("sites", "cloudflare_account_id", "cloudflare_accounts", "id"),
    ("sites", "gsc_account_id", "gsc_accounts", "id"),
    ("daily_analytics", "site_id", "sites", "id"),
}


def _columns(conn: psycopg.Connection, table: str) -> dict[str, tuple[str, bool, str | None]]:
    rows = conn.execute(
        "select column_name, data_type, is_nullable = 'YES', column_default from information_schema.columns"
        " where table_schema = 'public' and table_name = %s",
        (table,),
    ).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def _constraint_columns(conn: psycopg.Connection, kind: str) -> list[tuple[str, str, list[str]]]:
    rows = conn.execute(
        """select tc.table_name, tc.constraint_name, kcu.column_name
             from information_schema.table_constraints tc
             join information_schema.key_column_usage kcu
               on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema
            where tc.table_schema = 'public' and tc.constraint_type = %s
            order by tc.table_name, tc.constraint_name, kcu.ordinal_position""",
        (kind,),
    ).fetchall()
    grouped: dict[tuple[str, str], list[str]] = {}
    for table, name, column in rows:
        grouped.setdefault((table, name), []).append(column)
    return [(t, n, cols) for (t, n), cols in grouped.items()]


def assert_schema_matches_spec(url: str) -> None:
    with psycopg.connect(url) as conn:
        for table, spec_columns in SPEC.items():
            actual = _columns(conn, table)
            assert actual, f"table {table} is missing"
            for name, data_type, nullable, default in spec_columns:
                assert name in actual, f"{table}.{name} is missing"
                a_type, a_nullable, a_default = actual[name]
                assert a_type == data_type, f"{table}.{name}: {a_type} != {data_type}"
                assert a_nullable == nullable, f"{table}.{name}: nullable {a_nullable} != {nullable}"
                if default is not None:
                    assert a_default and default in a_default, f"{table}.{name}: default {a_default!r}"
            # Columns the product added must not be required without a default (inserts per spec work).
            for name, (_, nullable, default) in actual.items():
                if name not in {c[0] for c in spec_columns}:
                    assert nullable or default is not None, f"{table}.{name} added as NOT NULL without default"

        pks = {t: cols for t, _, cols in _constraint_columns(conn, "PRIMARY KEY")}
        for table, cols in PRIMARY_KEYS.items():
            assert pks.get(table) == cols, f"{table} primary key {pks.get(table)} != {cols}"
        uniques = {(t, cols[0]) for t, _, cols in _constraint_columns(conn, "UNIQUE") if len(cols) == 1}
        assert UNIQUE <= uniques, f"missing unique keys: {UNIQUE - uniques}"

        fks = set(conn.execute(
            """select tc.table_name, kcu.column_name, ccu.table_name, ccu.column_name
                 from information_schema.table_constraints tc
                 join information_schema.key_column_usage kcu on kcu.constraint_name = tc.constraint_name
                 join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name
                where tc.table_schema = 'public' and tc.constraint_type = 'FOREIGN KEY'"""
        ).fetchall())
        assert FOREIGN_KEYS <= fks, f"missing foreign keys: {FOREIGN_KEYS - fks}"

        no_rls = conn.execute(
            "select relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = 'public' and c.relkind = 'r' and not c.relrowsecurity"
        ).fetchall()
        assert no_rls == [], f"tables without row level security: {no_rls}"


def test_machine_postgres_schema_matches_spec(pg_url: str) -> None:
    assert_schema_matches_spec(pg_url)


def test_embedded_postgres_schema_matches_spec(tmp_path) -> None:
    import pgserver

    server = pgserver.get_server(tmp_path / "pgdata", cleanup_mode="delete")
    try:
        url = server.get_uri()
        assert db.upgrade(url) == [m.name for m in db.migrations()]
        assert_schema_matches_spec(url)
        with psycopg.connect(url) as conn:
            assert conn.execute("show server_version").fetchone()[0].startswith("16")
    finally:
        server.cleanup()


def test_upgrade_is_harmless_to_run_twice(pg_url: str) -> None:
    assert db.upgrade(pg_url) == []
    with psycopg.connect(pg_url) as conn:
        recorded = conn.execute("select version, name from public.factory_migrations").fetchall()
    assert [v for v, _ in recorded] == [m.version for m in db.migrations()]


def test_concurrent_upgrades_apply_once(tmp_path) -> None:
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import ADMIN_URL, _url_for

    name = f"factory_up_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    try:
        url = _url_for(name)
        with ThreadPoolExecutor(3) as pool:
            results = list(pool.map(lambda _: db.upgrade(url), range(3)))
        assert sorted(len(r) for r in results) == [0, 0, len(db.migrations())]
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.mark.parametrize("status_column", ["status_dns", "status_content"])
def test_database_refuses_status_outside_vocabulary(store, status_column) -> None:
    from factory.store import NewSite

    store.cloudflare_accounts.add("ops@example.com", "CF1", "token-abcdefgh1234")
    site = store.sites.add(NewSite("acme-example.com", "CF1"))
    with pytest.raises(psycopg.errors.CheckViolation):
        with store.connection() as conn:
            conn.execute(f"update public.sites set {status_column} = 'done' where id = %s", (site.id,))
