"""`factory backup ...`: back up, list, restore the stack's Postgres databases, and the schedule."""

from __future__ import annotations

import datetime as dt
import json
import time

import typer

from factory import backup as backups
from factory.cli.common import audit, friendly_errors, say
from factory.config import load_settings

app = typer.Typer(help="Backups of the product's, Dagster's and Directus's databases.", no_args_is_help=True)

ONLY = typer.Option(None, "--only", help="Only these databases (factory, dagster, directus); repeatable.")


@app.command("run")
@friendly_errors
def run(only: list[str] = ONLY, as_json: bool = typer.Option(False, "--json")) -> None:
    """Back up every database now (FACTORY_BACKUP_DIR), keeping the newest FACTORY_BACKUP_KEEP."""
    settings = load_settings()
    made = backups.run_backup(settings, only=only or None, progress=lambda m: say(f"backup: {m}", err=True))
    if as_json:
        typer.echo(json.dumps(made.as_dict()))
    else:
        say(f"backup {made.name}: {', '.join(made.databases)} ({sum(made.databases.values()) / 1e6:.1f} MB) "
            f"in {backups.backup_dir(settings)}")


@app.command("list")
@friendly_errors
def list_(as_json: bool = typer.Option(False, "--json")) -> None:
    """The complete backups, newest first, and when the next scheduled one is due."""
    settings = load_settings()
    found = backups.list_backups(backups.backup_dir(settings))
    if as_json:
        typer.echo(json.dumps({"backups": [b.as_dict() for b in found],
                               "next_due_at": backups.due(settings).isoformat()}))
        return
    if not found:
        say(f"no backup yet in {backups.backup_dir(settings)}")
        return
    for b in found:
        sizes = ", ".join(f"{n} {size / 1e6:.1f} MB" for n, size in b.databases.items())
        say(f"{b.name}  {sizes}")
    say(f"next scheduled backup due {backups.due(settings):%Y-%m-%d %H:%M} UTC")


@app.command()
@friendly_errors
def restore(name: str = typer.Argument("latest", help="A backup's name (factory backup list) or 'latest'."),
            only: list[str] = ONLY,
            yes: bool = typer.Option(False, "--yes", help="Replace the databases' contents without asking.")) -> None:
    """Replace the databases' contents by a backup's. Stop the services that write to them first."""
    settings = load_settings()
    chosen = backups.find(backups.backup_dir(settings), name)
    targets = only or list(chosen.databases)
    if not yes:
        typer.confirm(f"Replace {', '.join(targets)} with backup {chosen.name}? Everything written since is lost",
                      abort=True)
    done = backups.restore(settings, chosen.name, only=only or None, progress=lambda m: say(f"restore: {m}", err=True))
    say(f"restored {', '.join(targets)} from backup {done.name}")
    if "factory" in targets:
        audit("backup.restore", target=done.name, detail={"databases": targets})


@app.command()
@friendly_errors
def serve(once: bool = typer.Option(False, "--once", help="Make a backup if one is due, then exit.")) -> None:
    """The schedule: a backup every FACTORY_BACKUP_INTERVAL_HOURS (at start when one is due)."""
    while True:
        settings = load_settings()
        now = dt.datetime.now(dt.UTC)
        next_at = backups.due(settings, now)
        if next_at <= now:
            try:
                made = backups.run_backup(settings, progress=lambda m: say(f"backup: {m}", err=True))
                say(f"backup {made.name} done; next in {settings.backup_interval_hours:g} h", err=True)
            except backups.BackupError as exc:  # a database down for a moment: try again soon
                say(f"backup failed, trying again in 5 minutes: {exc}", err=True)
                if once:
                    raise
                time.sleep(300)
                continue
            next_at = backups.due(settings)
        if once:
            return
        time.sleep(max(1.0, min(3600.0, (next_at - dt.datetime.now(dt.UTC)).total_seconds())))
