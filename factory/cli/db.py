"""`factory db ...`: the schema."""

from __future__ import annotations

import typer

from factory import db
from factory.cli.common import friendly_errors

app = typer.Typer(help="The system-of-record database.", no_args_is_help=True)


@app.command()
@friendly_errors
def upgrade() -> None:
    """Apply pending migrations from supabase/migrations (safe to run again)."""
    url = db.database_url()
    applied = db.upgrade(url)
    where = db.redact_url(url)
    if applied:
        for name in applied:
            typer.echo(f"applied {name}")
        typer.echo(f"{len(applied)} migration(s) applied to {where}")
    else:
        typer.echo(f"already up to date: {where}")


@app.command()
@friendly_errors
def url() -> None:
    """Print the database URL in use (password hidden); starts the embedded Postgres if needed."""
    typer.echo(db.redact_url(db.database_url()))
