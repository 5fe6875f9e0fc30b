"""`factory accounts ...`: Cloudflare and Google credentials."""

from __future__ import annotations

import json

import typer

from factory.cli.common import friendly_errors, read_secret, store

app = typer.Typer(help="Cloudflare and Google (Search Console) accounts.", no_args_is_help=True)


@app.command("add-cloudflare")
@friendly_errors
def add_cloudflare(
    email: str = typer.Option(..., help="Email of the Cloudflare account."),
    nickname: str = typer.Option(..., help="Short name used to pick the account, e.g. CF_Batch_1."),
) -> None:
    """Add a Cloudflare account. The API token comes from CLOUDFLARE_API_TOKEN or a hidden prompt."""
    token = read_secret("CLOUDFLARE_API_TOKEN", "Cloudflare API token")
    account = store().cloudflare_accounts.add(email, nickname, token)
    typer.echo(f"added Cloudflare account {account.account_nickname} ({account.email})")


@app.command("add-gsc")
@friendly_errors
def add_gsc(email: str = typer.Option(..., help="Email of the Google account.")) -> None:
    """Add a Google account for Search Console. The refresh token comes from GSC_REFRESH_TOKEN or a hidden prompt."""
    token = read_secret("GSC_REFRESH_TOKEN", "Google OAuth refresh token")
    account = store().gsc_accounts.add(email, token)
    typer.echo(f"added Google account {account.email}")


@app.command("list")
@friendly_errors
def list_accounts(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List accounts (secrets are never shown)."""
    cf = store().cloudflare_accounts.list()
    gsc = store().gsc_accounts.list()
    if as_json:
        typer.echo(json.dumps({
            "cloudflare": [{"id": str(a.id), "email": a.email, "nickname": a.account_nickname,
                            "created_at": a.created_at.isoformat()} for a in cf],
            "gsc": [{"id": str(a.id), "email": a.email, "created_at": a.created_at.isoformat()} for a in gsc],
        }, indent=2))
        return
    typer.echo("Cloudflare accounts:")
    for a in cf:
        typer.echo(f"  {a.account_nickname:<20} {a.email}")
    if not cf:
        typer.echo("  (none)")
    typer.echo("Google accounts:")
    for a in gsc:
        typer.echo(f"  {a.email}")
    if not gsc:
        typer.echo("  (none)")
