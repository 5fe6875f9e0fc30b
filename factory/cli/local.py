"""`factory up` and `factory demo seed`: the local development stack and its demo data.

Both live in `devtools/` (dev-only, not in the production wheel or image); these commands load
it on demand and say so when it is not there.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import typer

from factory.cli.common import fail, friendly_errors

demo_app = typer.Typer(help="Demo data for the local quick start.", no_args_is_help=True)


def _devtools(module: str) -> ModuleType:
    try:
        return importlib.import_module(f"devtools.{module}")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("devtools"):
            fail("this command runs the local development stack, which is not part of the production package; "
                 "run it from a checkout of the repository (make start)")
        raise


@friendly_errors
def up(
    demo: bool = typer.Option(True, help="Add demo accounts, sites and a demo operator (sandbox credentials)."),
    sandbox: bool = typer.Option(True, help="Run the vendor simulators and sshd and point the product at them."),
    directus: bool = typer.Option(True, help="Run the local Directus (needs scripts/install-npm)."),
) -> None:
    """Start everything locally: Postgres, migrations, the sandbox and sshd, Directus, Dagster (UI,
    daemon, sensors, schedules) and the Hub API with the UI. Ctrl-C stops it all."""
    _devtools("up").up(demo=demo, sandbox=sandbox, directus=directus)


@demo_app.command()
@friendly_errors
def seed() -> None:
    """Add demo accounts (sandbox tokens) and a few demo sites, skipping what exists."""
    _devtools("demo").seed()
