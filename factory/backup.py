"""Backups of the Postgres databases the stack owns: the product's, Dagster's and Directus's.

One backup is a folder `<FACTORY_BACKUP_DIR>/<UTC time>/` holding one `pg_dump --format=custom`
file per database and `manifest.json` (sizes, SHA-256, server versions). It is written under a
`.partial` name and renamed when every dump is complete, so a crash never leaves a backup that
looks whole. The newest FACTORY_BACKUP_KEEP are kept. `restore` checks every file against the
manifest first, then `pg_restore --clean --if-exists` each database in one transaction.

Passwords go to pg_dump/pg_restore through PGPASSWORD (never the command line, never an error).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from factory.config import Settings
from factory.db import redact_url

NAME = re.compile(r"^\d{8}T\d{6}Z$")
PARTIAL = ".partial"
MANIFEST = "manifest.json"
# The databases by the name a backup files them under, and the setting that holds their URL.
DATABASES = {"factory": "database_url", "dagster": "dagster_pg_url", "directus": "directus_db_url"}


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message names what and never a password."""


@dataclass(frozen=True)
class Backup:
    name: str                    # its folder: the UTC time it started, e.g. 20261129T183000Z
    path: Path
    created_at: dt.datetime
    databases: dict[str, int]    # name -> bytes of its dump
    finished_at: dt.datetime | None

    def as_dict(self) -> dict:
        return {"name": self.name, "created_at": self.created_at.isoformat(),
                "finished_at": self.finished_at.isoformat() if self.finished_at else None,
                "databases": self.databases, "bytes": sum(self.databases.values())}


def backup_dir(settings: Settings) -> Path:
    return Path(settings.backup_dir or settings.state_dir / "backups")


def database_urls(settings: Settings, only: list[str] | None = None) -> dict[str, str]:
    """{name: URL} of the databases to back up: those of FACTORY_BACKUP_DATABASES that are set."""
    wanted = only or [n.strip() for n in settings.backup_databases.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in DATABASES]
    if unknown:
        raise BackupError(f"unknown database {', '.join(unknown)!s}; known: {', '.join(DATABASES)}")
    urls = {n: getattr(settings, DATABASES[n]) for n in wanted}
    if "factory" in urls and not urls["factory"]:
        from factory import db
        urls["factory"] = db.database_url()  # the embedded Postgres, locally
    return {n: u for n, u in urls.items() if u}


def list_backups(root: Path) -> list[Backup]:
    """Complete backups, newest first."""
    if not root.is_dir():
        return []
    found = []
    for path in root.iterdir():
        if not (path.is_dir() and NAME.match(path.name) and (path / MANIFEST).is_file()):
            continue
        manifest = json.loads((path / MANIFEST).read_text())
        found.append(Backup(path.name, path, _when(path.name),
                            {n: d["bytes"] for n, d in manifest["databases"].items()},
                            dt.datetime.fromisoformat(manifest["finished_at"])))
    return sorted(found, key=lambda b: b.name, reverse=True)


def find(root: Path, name: str) -> Backup:
    backups = list_backups(root)
    if not backups:
        raise BackupError(f"no backup in {root}")
    if name == "latest":
        return backups[0]
    for backup in backups:
        if backup.name == name:
            return backup
    raise BackupError(f"no backup named {name!r} in {root} (factory backup list shows them)")


def run_backup(settings: Settings, *, only: list[str] | None = None,
               progress: Callable[[str], None] = lambda _: None) -> Backup:
    """Dump every database into a new backup, then keep only the newest FACTORY_BACKUP_KEEP."""
    urls = database_urls(settings, only)
    if not urls:
        raise BackupError("no database to back up (FACTORY_DATABASE_URL, DAGSTER_PG_URL, DIRECTUS_DB_URL)")
    root = backup_dir(settings)
    root.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC)
    name = started.strftime("%Y%m%dT%H%M%SZ")
    while (root / name).exists():  # two backups in one second: the second waits its turn
        time.sleep(1)
        started = dt.datetime.now(dt.UTC)
        name = started.strftime("%Y%m%dT%H%M%SZ")
    work = root / (name + PARTIAL)
    work.mkdir()
    databases = {}
    try:
        for db_name, url in urls.items():
            t0 = time.monotonic()
            target = work / f"{db_name}.dump"
            _pg("pg_dump", url, ["--format=custom", "--no-owner", "--no-privileges", f"--file={target}"])
            databases[db_name] = {"bytes": target.stat().st_size, "sha256": _sha256(target),
                                  "server": redact_url(url)}
            progress(f"{db_name}: {target.stat().st_size / 1e6:.1f} MB in {time.monotonic() - t0:.1f} s")
        manifest = {"name": name, "started_at": started.isoformat(),
                    "finished_at": dt.datetime.now(dt.UTC).isoformat(), "databases": databases,
                    "pg_dump": _version("pg_dump")}
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2))
        work.rename(root / name)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    for old in prune(root, settings.backup_keep):
        progress(f"removed {old} (keeping the newest {settings.backup_keep})")
    return find(root, name)


def prune(root: Path, keep: int) -> list[str]:
    """Remove complete backups beyond the newest `keep`, and partial ones a day old (a crash's)."""
    removed = []
    for backup in list_backups(root)[keep:]:
        shutil.rmtree(backup.path)
        removed.append(backup.name)
    day_ago = time.time() - 86400
    for path in root.glob("*" + PARTIAL):
        if path.stat().st_mtime < day_ago:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed


def restore(settings: Settings, name: str = "latest", *, only: list[str] | None = None,
            progress: Callable[[str], None] = lambda _: None) -> Backup:
    """Replace each database's contents by the backup's (every file checked against the manifest
    first; each database restored in one transaction, so a failure leaves it as it was)."""
    backup = find(backup_dir(settings), name)
    manifest = json.loads((backup.path / MANIFEST).read_text())
    urls = database_urls(settings, only or [n for n in manifest["databases"] if n in DATABASES])
    missing = [n for n in (only or []) if n not in manifest["databases"]]
    if missing:
        raise BackupError(f"backup {backup.name} holds no {', '.join(missing)}")
    for db_name in urls:
        dump = backup.path / f"{db_name}.dump"
        if not dump.is_file() or _sha256(dump) != manifest["databases"][db_name]["sha256"]:
            raise BackupError(f"backup {backup.name}: {dump.name} is missing or damaged (its SHA-256 differs)")
    for db_name, url in urls.items():
        t0 = time.monotonic()
        _pg("pg_restore", url, ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                                "--exit-on-error", str(backup.path / f"{db_name}.dump")])
        progress(f"{db_name}: restored in {time.monotonic() - t0:.1f} s")
    return backup


def due(settings: Settings, now: dt.datetime | None = None) -> dt.datetime:
    """When the next scheduled backup is due: FACTORY_BACKUP_INTERVAL_HOURS after the latest."""
    backups = list_backups(backup_dir(settings))
    if not backups:
        return now or dt.datetime.now(dt.UTC)
    return backups[0].created_at + dt.timedelta(hours=settings.backup_interval_hours)


def status(settings: Settings, now: dt.datetime | None = None) -> dict:
    """The backups, newest first, when the next is due, and `overdue`: none yet, or the latest
    older than twice the interval (the schedule is not running, or its dumps fail)."""
    now = now or dt.datetime.now(dt.UTC)
    found = list_backups(backup_dir(settings))
    interval = dt.timedelta(hours=settings.backup_interval_hours)
    return {"backups": [b.as_dict() for b in found], "interval_hours": settings.backup_interval_hours,
            "keep": settings.backup_keep, "next_due_at": due(settings, now).isoformat(),
            "overdue": not found or now - found[0].created_at > 2 * interval}


def _when(name: str) -> dt.datetime:
    return dt.datetime.strptime(name, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg(tool: str, url: str, args: list[str]) -> None:
    """Run pg_dump/pg_restore against `url` with the password in PGPASSWORD, not in argv."""
    parts = urlsplit(url)
    env = dict(os.environ)
    netloc = parts.netloc
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        netloc = netloc.replace(":" + parts.password + "@", "@", 1)
    dsn = urlunsplit(parts._replace(netloc=netloc))
    result = subprocess.run([_tool(tool), f"--dbname={dsn}", *args], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        error = result.stderr.strip().replace(parts.password or "\0", "***")[-1500:]
        raise BackupError(f"{tool} {redact_url(url)} failed: {error}")


def _version(tool: str) -> str:
    return subprocess.run([_tool(tool), "--version"], capture_output=True, text=True).stdout.strip()


@functools.cache
def _tool(tool: str) -> str:
    """The newest `tool` on the machine: Debian's PostgreSQL clients, the embedded Postgres's, or
    PATH's (pg_dump refuses a server newer than itself). Looked up once per process."""
    found = [*(str(p) for p in Path("/usr/lib/postgresql").glob(f"*/bin/{tool}")),
             *(str(p) for p in _embedded_bins(tool)), shutil.which(tool) or ""]
    candidates = [p for p in dict.fromkeys(found) if p and Path(p).is_file()]
    if not candidates:
        raise BackupError(f"{tool} not found (apt-get install postgresql-client)")
    return max(candidates, key=_major)


def _embedded_bins(tool: str) -> list[Path]:
    try:
        import pgserver  # noqa: PLC0415 - only where the embedded Postgres is installed
    except ImportError:
        return []
    return [Path(pgserver.__file__).parent / "pginstall" / "bin" / tool]


def _major(path: str) -> int:
    out = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else 0

