"""`factory up`: the whole product on local defaults, in one command."""

from __future__ import annotations

import os

import typer

from factory import db, stack
from factory.cli.common import friendly_errors
from factory.config import env, state_dir

app = typer.Typer()


@friendly_errors
def up(
    demo: bool = typer.Option(True, help="Add demo accounts and sites (sandbox credentials)."),
    sandbox: bool = typer.Option(True, help="Run the vendor simulators and point the product at them."),
) -> None:
    """Start everything locally: Postgres, migrations, the sandbox, Dagster (UI, sensors, schedules). Ctrl-C stops it all."""
    url = db.database_url()
    db.upgrade(url)
    typer.echo(f"database       {db.redact_url(url)} (migrated)")
    base_env = {"FACTORY_DATABASE_URL": url}
    services: list[stack.Service] = []
    if sandbox:
        import sandbox as sandbox_pkg

        port = int(env("FACTORY_SANDBOX_PORT", "8787"))
        sandbox_url = f"http://127.0.0.1:{port}"
        base_env.update(sandbox_pkg.settings(sandbox_url))
        services.append(stack.Service(
            "sandbox", [stack.python_bin("python"), "-m", "sandbox", "--port", str(port)],
            url=sandbox_url, health_url=f"{sandbox_url}/_sandbox/health",
        ))
    dagster_home = state_dir() / "dagster"
    dagster_home.mkdir(parents=True, exist_ok=True)
    (dagster_home / "dagster.yaml").touch()
    dagster_port = env("FACTORY_DAGSTER_PORT", "3000")
    services.append(stack.Service(
        "dagster", [stack.python_bin("dagster"), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", dagster_port],
        url=f"http://127.0.0.1:{dagster_port}", health_url=f"http://127.0.0.1:{dagster_port}/server_info",
        env={"DAGSTER_HOME": str(dagster_home)},
    ))
    os.environ.update(base_env)
    if demo:
        from factory.cli.demo import seed

        seed()
    local = stack.LocalStack(services, base_env)
    local.start(echo=typer.echo)
    typer.echo("ready; press Ctrl-C to stop")
    raise typer.Exit(local.wait())
