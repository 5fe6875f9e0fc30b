"""`factory operators ...`: local operator accounts for the Management Hub (when Supabase Auth is not used)."""

from __future__ import annotations

import typer

from factory.cli.common import audit, fail, friendly_errors, names, read_secret, say, shown, store

app = typer.Typer(help="Operators who sign in to the Management Hub.", no_args_is_help=True)


def _password() -> str:
    password = read_secret("FACTORY_OPERATOR_PASSWORD", "Password (12 characters or more)")
    from hub_api.auth import hash_password  # argon2 lives with the API's auth

    try:
        return hash_password(password)
    except ValueError as exc:
        fail(str(exc))
        raise


@app.command("add")
@friendly_errors
def add(email: str = typer.Argument(..., help="The operator's email (their sign-in name).")) -> None:
    """Add an operator. The password comes from FACTORY_OPERATOR_PASSWORD or a hidden prompt."""
    names(email=email)
    operator = store().operators.add(email, _password())
    audit("operator.add", target=operator.email)
    say(f"added operator {operator.email}")


@app.command("set-password")
@friendly_errors
def set_password(email: str = typer.Argument(..., help="The operator's email.")) -> None:
    """Change an operator's password (FACTORY_OPERATOR_PASSWORD or a hidden prompt). Tokens issued
    before stop working within FACTORY_TOKEN_CHECK_SECONDS."""
    store().operators.set_password(email, _password())
    audit("operator.set_password", target=email)
    say(f"changed the password of {email}; tokens issued before are refused")


@app.command("disable")
@friendly_errors
def disable(email: str = typer.Argument(...), enable: bool = typer.Option(False, help="Enable instead.")) -> None:
    """Stop (or, with --enable, allow again) an operator's sign-ins. Either way the tokens already
    issued are refused within FACTORY_TOKEN_CHECK_SECONDS (the Hub checks a token version)."""
    store().operators.set_disabled(email, not enable)
    audit("operator.enable" if enable else "operator.disable", target=email)
    say(f"{'enabled' if enable else 'disabled'} operator {email}; tokens issued before are refused")


@app.command("list")
@friendly_errors
def list_operators() -> None:
    """List operators (never their passwords)."""
    operators = store().operators.list()
    for op in operators:
        state = "disabled" if op.disabled else "active"
        last = op.last_sign_in_at.isoformat(timespec="seconds") if op.last_sign_in_at else "never"
        typer.echo(f"  {shown(op.email):<40} {state:<9} last sign-in: {last}")
    if not operators:
        typer.echo("  (none)")
