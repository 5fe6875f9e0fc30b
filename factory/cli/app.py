"""The `factory` command: assembles the command groups."""

from __future__ import annotations

import typer

from factory import logs
from factory.cli import accounts, api, backup, common, db, health, local, operators, plans, quality, sites

app = typer.Typer(
    help="Website Factory: onboard, build, deploy and measure a fleet of static websites.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(accounts.app, name="accounts")
app.add_typer(sites.app, name="sites")
app.add_typer(quality.app, name="quality")
app.add_typer(local.demo_app, name="demo")
app.command("up")(local.up)
app.add_typer(operators.app, name="operators")
app.command("api")(api.api)
app.command("plan")(plans.plan)
app.command("apply")(plans.apply)
app.add_typer(health.app, name="health")
app.add_typer(backup.app, name="backup")


@app.callback()
@common.friendly_errors  # an invalid setting is one line naming it, before any command runs
def main() -> None:
    logs.configure(console_level="WARNING")
