"""`factory api`: run the Management Hub API (and the built UI, if any) with uvicorn."""

from __future__ import annotations

import typer

from factory.cli.common import friendly_errors
from factory.config import load_settings


@friendly_errors
def api(
    host: str = typer.Option(None, help="Address to bind (default FACTORY_API_HOST, 127.0.0.1)."),
    port: int = typer.Option(None, help="Port to listen on (default FACTORY_API_PORT, 8000)."),
    workers: int = typer.Option(1, help="Worker processes."),
) -> None:
    """Serve the Management Hub API at http://HOST:PORT/api (docs at /docs). In production it
    refuses to start while any setting is missing or invalid, naming each one."""
    import uvicorn

    settings = load_settings(complete=True)
    # Proxy headers off: the Hub decides itself whose X-Forwarded-For to believe (FACTORY_TRUSTED_PROXIES);
    # uvicorn would otherwise believe any sent from 127.0.0.1.
    # A worker answers the supervisor's health check only once it has imported the app: give a
    # busy server time (the default, 5 s, restarts workers in a loop on a loaded 2-core machine).
    uvicorn.run("hub_api.main:app", host=host or settings.api_host, port=port or settings.api_port,
                workers=workers, access_log=False, proxy_headers=False, timeout_worker_healthcheck=60)
