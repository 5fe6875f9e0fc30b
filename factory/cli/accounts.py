"""`factory accounts ...`: Cloudflare and Google credentials."""

from __future__ import annotations

import json

import typer

from factory.cli.common import friendly_errors, names, read_secret, say, shown, store

app = typer.Typer(help="Cloudflare and Google (Search Console) accounts.", no_args_is_help=True)


@app.command("add-cloudflare")
@friendly_errors
def add_cloudflare(
    email: str = typer.Option(..., help="Email of the Cloudflare account."),
    nickname: str = typer.Option(..., help="Short name used to pick the account, e.g. CF_Batch_1."),
) -> None:
    """Add a Cloudflare account. The API token comes from CLOUDFLARE_API_TOKEN or a hidden prompt."""
    names(email=email, nickname=nickname)
    token = read_secret("CLOUDFLARE_API_TOKEN", "Cloudflare API token")
    account = store().add_cloudflare_account(email, nickname, token)
    say(f"added Cloudflare account {account.account_nickname} ({account.email})")


@app.command("add-gsc")
@friendly_errors
def add_gsc(email: str = typer.Option(..., help="Email of the Google account.")) -> None:
    """Add a Google account for Search Console. The refresh token comes from GSC_REFRESH_TOKEN or a hidden prompt."""
    names(email=email)
    token = read_secret("GSC_REFRESH_TOKEN", "Google OAuth refresh token")
    account = store().add_gsc_account(email, token)
    say(f"added Google account {account.email}")


@app.command("list")
@friendly_errors
def list_accounts(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List accounts (secrets are never shown; control and invisible characters are escaped)."""
    cf = store().list_cloudflare_accounts()
    gsc = store().list_gsc_accounts()
    if as_json:
        typer.echo(json.dumps({
            "cloudflare": [{"id": str(a.id), "email": a.email, "nickname": a.account_nickname,
                            "created_at": a.created_at.isoformat()} for a in cf],
            "gsc": [{"id": str(a.id), "email": a.email, "created_at": a.created_at.isoformat()} for a in gsc],
        }, indent=2))
        return
    typer.echo("Cloudflare accounts:")
    for a in cf:
        typer.echo(f"  {shown(a.account_nickname):<20} {shown(a.email)}")
    if not cf:
        typer.echo("  (none)")
    typer.echo("Google accounts:")
    for a in gsc:
        typer.echo(f"  {shown(a.email)}")
    if not gsc:
        typer.echo("  (none)")
