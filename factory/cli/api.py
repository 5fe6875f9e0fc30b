"""`factory api`: run the Management Hub API (and the built UI, if any) with uvicorn."""

from __future__ import annotations

import typer

from factory.config import env


def api(
    host: str = typer.Option(env("FACTORY_API_HOST", "127.0.0.1"), help="Address to bind."),
    port: int = typer.Option(int(env("FACTORY_API_PORT", "8000")), help="Port to listen on."),
    workers: int = typer.Option(1, help="Worker processes."),
) -> None:
    """Serve the Management Hub API at http://HOST:PORT/api (docs at /docs)."""
    import uvicorn

    # Proxy headers off: the Hub decides itself whose X-Forwarded-For to believe (FACTORY_TRUSTED_PROXIES);
    # uvicorn would otherwise believe any sent from 127.0.0.1.
    uvicorn.run("hub_api.main:app", host=host, port=port, workers=workers, access_log=False, proxy_headers=False)
