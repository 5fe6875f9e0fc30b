"""Shared fixtures: a real Postgres database per test session, migrated, and a clean store per test."""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from cryptography.fernet import Fernet

from devtools import directus_server
from factory import db
from factory.config import PROJECT_ROOT
from factory.store import Store

# The machine's Postgres (CI and developers); a fresh database is created in it per session.
ADMIN_URL = os.environ.get("FACTORY_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
APP_TABLES = ("audit_log", "plans", "site_health", "alert_digests", "daily_analytics", "site_events", "site_steps", "site_deletions", "sites", "gsc_accounts", "cloudflare_accounts")


def _url_for(dbname: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + dbname


@pytest.fixture(scope="session", autouse=True)
def secret_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    key = Fernet.generate_key().decode()
    saved = {k: os.environ.get(k) for k in ("FACTORY_SECRET_KEY", "FACTORY_HOME", "FACTORY_LOG_FILE")}
    os.environ["FACTORY_SECRET_KEY"] = key
    home = tmp_path_factory.mktemp("factory_home")
    os.environ["FACTORY_HOME"] = str(home)
    os.environ["FACTORY_LOG_FILE"] = str(home / "logs" / "factory.log")
    yield key
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A new, migrated database on the machine's Postgres, dropped at the end."""
    name = f"factory_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = _url_for(name)
    db.upgrade(url)
    yield url
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s and pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(f'drop database if exists "{name}"')


@contextlib.contextmanager
def empty_database(prefix: str) -> Iterator[str]:
    """A new, empty database on the machine's Postgres (its URL), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    try:
        yield _url_for(name)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture()
def unmigrated_db() -> Iterator[str]:
    """A database without the product's schema (as before `factory db upgrade`)."""
    with empty_database("factory_empty") as url:
        yield url


@pytest.fixture()
def clean_db(pg_url: str) -> str:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("set factory.maintenance = 'on'")
        conn.execute("truncate " + ", ".join(f"public.{t}" for t in APP_TABLES) + " restart identity cascade")
    return pg_url


@pytest.fixture()
def store(clean_db: str) -> Iterator[Store]:
    s = Store(clean_db)
    yield s
    s.close()


# What "nothing was written" means: the product's data. The audit log records every attempt,
# refused ones included, so it is not counted.
COUNTED_TABLES = tuple(t for t in APP_TABLES if t != "audit_log")


def table_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"select count(*) from public.{t}").fetchone()[0] for t in COUNTED_TABLES}


# -- a real Directus (npm, on the machine's Postgres), started once per session ------------------
@pytest.fixture(scope="session")
def npm_ready() -> None:
    """The npm parts (Directus, Astro) installed: the same script CI runs."""
    subprocess.run([str(PROJECT_ROOT / "scripts" / "install-npm")], check=True, stdout=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def directus(npm_ready, tmp_path_factory) -> Iterator[directus_server.DirectusServer]:
    name = f"directus_test_{uuid.uuid4().hex[:10]}"
    url = directus_server.create_database(ADMIN_URL, name)
    server = directus_server.start_directus(
        url, state_dir=tmp_path_factory.mktemp("directus"), token=secrets.token_urlsafe(24),
        key=secrets.token_hex(16), secret=secrets.token_hex(32),
    )
    try:
        yield server
    finally:
        server.stop()
        directus_server.drop_database(ADMIN_URL, name)
