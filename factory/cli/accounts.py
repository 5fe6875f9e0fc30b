"""`factory accounts ...`: Cloudflare and Google credentials."""

from __future__ import annotations

import json

import typer

from factory.cli.common import audit, context, friendly_errors, names, read_secret, say, shown, store

app = typer.Typer(help="Cloudflare and Google (Search Console) accounts.", no_args_is_help=True)


@app.command("add-cloudflare")
@friendly_errors
def add_cloudflare(
    email: str = typer.Option(..., help="Email of the Cloudflare account."),
    nickname: str = typer.Option(..., help="Short name used to pick the account, e.g. CF_Batch_1."),
    account_id: str = typer.Option(None, help="Cloudflare's account id (dashboard: Copy account ID); zones are "
                                              "created in it."),
) -> None:
    """Add a Cloudflare account. The API token comes from CLOUDFLARE_API_TOKEN or a hidden prompt."""
    names(email=email, nickname=nickname)
    token = read_secret("CLOUDFLARE_API_TOKEN", "Cloudflare API token")
    account = store().cloudflare_accounts.add(email, nickname, token, account_id)
    audit("cloudflare_account.add", target=account.account_nickname)
    say(f"added Cloudflare account {account.account_nickname} ({account.email})")
    if not account.account_id:
        typer.echo("note: no --account-id: zones cannot be created until you set it "
                   "(factory accounts set-cloudflare-id)", err=True)


@app.command("set-cloudflare-id")
@friendly_errors
def set_cloudflare_id(
    account: str = typer.Argument(..., help="Nickname or email of the Cloudflare account."),
    account_id: str = typer.Argument(..., help="Cloudflare's account id (32 hex characters)."),
) -> None:
    """Record the Cloudflare account id that zones of this account are created in."""
    found = store().cloudflare_accounts.get(account)
    updated = store().cloudflare_accounts.update(found.id, cloudflare_account_id=account_id)
    audit("cloudflare_account.update", target=updated.account_nickname, detail={"account_id": updated.account_id})
    say(f"{updated.account_nickname}: account id {updated.account_id}")


@app.command("verify-cloudflare")
@friendly_errors
def verify_cloudflare(account: str = typer.Argument(..., help="Nickname or email of the Cloudflare account.")) -> None:
    """Ask Cloudflare whether the account's token is active (GET /user/tokens/verify)."""
    found = store().cloudflare_accounts.get(account)
    status = context().clients.cloudflare(found.id).verify_token()
    say(f"{found.account_nickname}: token {status}"
               + ("" if found.account_id else "; no account id set (factory accounts set-cloudflare-id)"))
    if status != "active":
        raise typer.Exit(1)


@app.command("add-gsc")
@friendly_errors
def add_gsc(email: str = typer.Option(..., help="Email of the Google account.")) -> None:
    """Add a Google account for Search Console. The refresh token comes from GSC_REFRESH_TOKEN or a hidden prompt."""
    names(email=email)
    token = read_secret("GSC_REFRESH_TOKEN", "Google OAuth refresh token")
    account = store().gsc_accounts.add(email, token)
    audit("google_account.add", target=account.email)
    say(f"added Google account {account.email}")


@app.command("list")
@friendly_errors
def list_accounts(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List accounts (secrets are never shown; control and invisible characters are escaped)."""
    cf = store().cloudflare_accounts.list()
    gsc = store().gsc_accounts.list()
    if as_json:
        typer.echo(json.dumps({
            "cloudflare": [{"id": str(a.id), "email": a.email, "nickname": a.account_nickname,
                            "account_id": a.account_id, "created_at": a.created_at.isoformat()} for a in cf],
            "gsc": [{"id": str(a.id), "email": a.email, "created_at": a.created_at.isoformat()} for a in gsc],
        }, indent=2))
        return
    typer.echo("Cloudflare accounts:")
    for a in cf:
        typer.echo(f"  {shown(a.account_nickname):<20} {shown(a.email):<32} {a.account_id or '(no account id)'}")
    if not cf:
        typer.echo("  (none)")
    typer.echo("Google accounts:")
    for a in gsc:
        typer.echo(f"  {shown(a.email)}")
    if not gsc:
        typer.echo("  (none)")
