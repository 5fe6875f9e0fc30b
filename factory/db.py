"""Which Postgres the product talks to, and the migrations that shape it.

FACTORY_DATABASE_URL selects the database (Supabase in production, the machine's Postgres in
CI). Unset, an embedded Postgres 16 started with `pgserver` under .factory/pgdata serves:
a real Postgres with no set-up, kept running between commands.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg

from factory.config import PROJECT_ROOT, load_settings

log = logging.getLogger(__name__)

MIGRATIONS_DIR = PROJECT_ROOT / "supabase" / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{14})_[a-z0-9_]+\.sql$")
# Any constant works; it only has to be the same for every `factory db upgrade`.
_MIGRATION_LOCK_ID = 7_246_101


@functools.cache
def embedded_database_url(pgdata: Path | None = None) -> str:
    """Start (or reuse) the embedded Postgres and return its URL."""
    import pgserver  # imported here: only the local default needs it

    settings = load_settings()
    path = Path(pgdata or settings.state_dir / "pgdata")
    earlier = settings.earlier_state_dir / "pgdata" if settings.earlier_state_dir and not pgdata else None
    if earlier and not path.exists() and (earlier / "PG_VERSION").is_file():
        log.warning("an embedded database from an earlier version is at %s; this one starts a new one at %s. "
                    "To keep the earlier data, move it there while the factory is stopped: mv %s %s",
                    earlier, path, earlier, path)
    path.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None keeps the server running for the next command instead of stopping it.
    server = pgserver.get_server(path, cleanup_mode=None)
    return server.get_uri()


def stop_embedded(pgdata: Path | None = None) -> None:
    """Stop the embedded Postgres (if it runs); pgserver runs it as its own user."""
    import pgserver

    path = Path(pgdata or load_settings().state_dir / "pgdata")
    if path.exists() and (path / "postmaster.pid").exists():
        # pg_ctl directly: pgserver's own clean-up stops the server only for the last of its handles,
        # and this process's handle was opened to keep the server running (cleanup_mode=None).
        from pgserver._commands import pg_ctl

        server = pgserver.get_server(path, cleanup_mode=None)
        try:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)
        except subprocess.CalledProcessError:
            pass  # already stopped
    embedded_database_url.cache_clear()


def database_url() -> str:
    """FACTORY_DATABASE_URL; unset, the embedded Postgres (local only: production requires the URL)."""
    settings = load_settings()
    if settings.database_url:
        return settings.database_url
    if settings.production:
        raise RuntimeError("FACTORY_DATABASE_URL is not set (required in production)")
    return embedded_database_url()


def redact_url(url: str) -> str:
    """A database URL safe to print: the password replaced."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def connect(url: str | None = None, **kwargs) -> psycopg.Connection:
    return psycopg.connect(url or database_url(), **kwargs)


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    path: Path

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise RuntimeError(f"{path.name}: migration files are named YYYYMMDDHHMMSS_name.sql")
        found.append(Migration(match.group(1), path.stem, path))
    return found


_BOOKKEEPING = """
create table if not exists public.factory_migrations (
    version text primary key,
    name text not null,
    checksum text not null,
    applied_at timestamptz not null default now()
);
alter table public.factory_migrations enable row level security;
"""


def _applied_versions(conn: psycopg.Connection) -> dict[str, str]:
    applied = dict(conn.execute("select version, checksum from public.factory_migrations").fetchall())
    # Versions the Supabase CLI applied (`supabase db push`) count as applied too.
    has_supabase = conn.execute(
        "select to_regclass('supabase_migrations.schema_migrations') is not null"
    ).fetchone()[0]
    if has_supabase:
        for (version,) in conn.execute("select version from supabase_migrations.schema_migrations"):
            applied.setdefault(version, "")
    return applied


def upgrade(url: str | None = None, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply pending migrations in order, each in its own transaction; return their names.

    Safe to run twice and from two processes at once (an advisory lock serialises them).
    """
    applied_now: list[str] = []
    with connect(url, autocommit=True) as conn:
        conn.execute("select pg_advisory_lock(%s)", (_MIGRATION_LOCK_ID,))
        try:
            conn.execute(_BOOKKEEPING)
            applied = _applied_versions(conn)
            for migration in migrations(directory):
                if migration.version in applied:
                    if applied[migration.version] not in ("", migration.checksum):
                        log.warning("migration %s changed after it was applied", migration.name)
                    continue
                with conn.transaction():
                    conn.execute(migration.path.read_text())
                    conn.execute(
                        "insert into public.factory_migrations (version, name, checksum) values (%s, %s, %s)",
                        (migration.version, migration.name, migration.checksum),
                    )
                log.info("applied migration %s", migration.name)
                applied_now.append(migration.name)
        finally:
            conn.execute("select pg_advisory_unlock(%s)", (_MIGRATION_LOCK_ID,))
    return applied_now
