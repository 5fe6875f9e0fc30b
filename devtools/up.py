"""`factory up`: the whole product on local defaults, in one command."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import threading
from pathlib import Path

import typer
import yaml

from devtools import stack
from factory import db
from factory.config import PROJECT_ROOT, load_settings, state_dir

# The demo's world is slow but not too slow: zones activate 20-90 s after delegation, Google sees a
# TXT record 20 s after it is live, so the UI shows sites waiting, then converging on their own.
SANDBOX_DEMO_DELAYS = ["--activation-min", "20", "--activation-max", "90", "--activation-propagation", "10",
                       "--txt-propagation", "20"]


def _dagster_home(database_url: str, code_port: int) -> tuple[Path, dict[str, str]]:
    """$FACTORY_HOME/dagster with the production dagster.yaml (run queue, per-site limit, pools,
    run monitoring) on a `dagster` database next to the product's, and the pool limits applied.
    Runs at once are sized to this machine, and the webserver and daemon load the code location
    from one long-lived code server (workspace.yaml here): no code server starts per run."""
    from devtools.directus_server import create_database

    home = state_dir() / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((PROJECT_ROOT / "deploy" / "dagster.yaml").read_text())
    config["concurrency"]["runs"]["max_concurrent_runs"] = max(2, os.cpu_count() or 2)
    (home / "dagster.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    (home / "workspace.yaml").write_text(yaml.safe_dump({"load_from": [{"grpc_server": {
        "host": "127.0.0.1", "port": code_port, "location_name": "website_factory"}}]}))
    pg_url = load_settings().dagster_pg_url or create_database(database_url, "dagster")
    os.environ["DAGSTER_PG_URL"] = pg_url
    import importlib.util

    import dagster as dg

    spec = importlib.util.spec_from_file_location("factory_deploy_pools", PROJECT_ROOT / "deploy" / "pools.py")
    pools = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pools)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        pools.apply(instance, pools.pool_limits())
    return home, {"DAGSTER_HOME": str(home), "DAGSTER_PG_URL": pg_url}


def _demo_operator(email: str) -> str:
    """Create (or reset) the demo operator with a fresh password; return the password."""
    from factory.store import Conflict, Store
    from hub_api.auth import hash_password

    password = secrets.token_urlsafe(12)
    store = Store(db.database_url())
    try:
        try:
            store.operators.add(email, hash_password(password))
        except Conflict:
            store.operators.set_password(email, hash_password(password))
    finally:
        store.close()
    return password


def _sshd_service(sandbox_url: str | None) -> tuple[stack.Service, dict[str, str]]:
    """The CloudPanel stand-in: a real sshd on 127.0.0.1 whose sessions run sandbox/clpctl."""
    from devtools.sandbox.sshd import start_sshd

    handle = start_sshd(state_dir() / "sshd", sandbox_url=sandbox_url, public_ip=load_settings().public_ip)
    settings = {
        "CLOUDPANEL_SSH_HOST": handle.host, "CLOUDPANEL_SSH_PORT": str(handle.port),
        "CLOUDPANEL_SSH_USER": handle.user, "CLOUDPANEL_SSH_KEY": str(handle.client_key),
        "CLOUDPANEL_KNOWN_HOSTS": str(handle.known_hosts), "CLOUDPANEL_HOME_DIR": str(handle.home_root),
    }
    service = stack.Service("sshd", [], url=f"ssh://{handle.user}@{handle.host}:{handle.port}",
                            starter=lambda: handle.process, note="(CloudPanel stand-in: clpctl)")
    return service, settings


def _https_host_service(home_dir: str) -> tuple[stack.Service, dict[str, str]]:
    """The hosting server's web side: every doc root of the CloudPanel stand-in served over HTTPS
    with certificates from a local CA (devtools/https_host.py). The health probes connect to it
    (only the address and the CA bundle are settings) and the Hub's "Open live site" opens it at
    https://<domain>.localhost:<port>/."""
    settings = load_settings()
    https_port, http_port = settings.local_https_port, settings.local_http_port
    state = state_dir() / "https-host"
    env = {"FACTORY_HEALTH_CONNECT_HOST": "127.0.0.1", "FACTORY_HEALTH_HTTPS_PORT": str(https_port),
           "FACTORY_HEALTH_HTTP_PORT": str(http_port), "FACTORY_HEALTH_CA_BUNDLE": str(state / "ca" / "ca.pem"),
           "FACTORY_LIVE_SITE_URL": os.environ.get("FACTORY_LIVE_SITE_URL")
           or f"https://{{domain}}.localhost:{https_port}/"}
    service = stack.Service(
        "https-host", [stack.python_bin("python"), "-m", "devtools.https_host", "--home", home_dir,
                       "--state-dir", str(state), "--https-port", str(https_port), "--http-port", str(http_port)],
        url=f"https://127.0.0.1:{https_port}", note="(the deployed sites over HTTPS, local CA)",
        ports=[https_port, http_port])
    return service, env


def up(demo: bool = True, sandbox: bool = True, directus: bool = True) -> None:
    """Start everything locally: Postgres, migrations, the sandbox and sshd, Directus, Dagster (UI,
    daemon, sensors, schedules) and the Hub API with the UI. Ctrl-C stops it all."""
    # Before anything is touched: a second `factory up` beside a running one must not re-seed the
    # demo (a new operator password), rewrite the sshd's or Dagster's settings, or stop the database.
    stack.check_ports_free(_ports(sandbox=sandbox, directus=directus))
    stack.interrupt_on_signals()  # SIGTERM or Ctrl-C while starting stops what already started
    embedded = not load_settings().database_url  # decided now: the stack puts the URL in the environment
    services: list[stack.Service] = []
    try:
        _start(services, demo=demo, sandbox=sandbox, directus=directus)
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM before the stack ran: say so, exit 128 + signal
        signum = signal.SIGTERM if str(exc) == "SIGTERM" else signal.SIGINT
        typer.echo(f"stopped while starting ({signum.name}); what had started was stopped", err=True)
        raise typer.Exit(128 + signum) from None
    finally:
        for service in services:  # the sshd started above, if start-up failed before the stack ran
            if service.starter and service.process is None:
                service.starter().terminate()
        if embedded:
            db.stop_embedded()  # Ctrl-C stops everything `factory up` started, the database too


def code_server_port(settings) -> int:
    """The code location's gRPC port: the one after Dagster's UI."""
    return settings.dagster_port + 1


def _ports(*, sandbox: bool, directus: bool) -> list[tuple[str, int]]:
    """The fixed ports the stack's services listen on (the sshd takes a free one)."""
    settings = load_settings()
    ports = [("dagster", settings.dagster_port), ("code-server", code_server_port(settings)), ("hub", settings.api_port)]
    if sandbox:
        ports += [("sandbox", settings.sandbox_port), ("https-host", settings.local_https_port),
                  ("https-host", settings.local_http_port)]
    if directus:
        ports.append(("directus", settings.directus_port))
    return ports


def _start(services: list[stack.Service], *, demo: bool, sandbox: bool, directus: bool) -> None:
    url = db.database_url()
    db.upgrade(url)
    typer.echo(f"database   {db.redact_url(url)} (migrated)")
    base_env: dict[str, str] = {"FACTORY_DATABASE_URL": url, "FACTORY_HOME": str(state_dir())}

    if sandbox:
        import devtools.sandbox as sandbox_pkg

        port = load_settings().sandbox_port
        sandbox_url = f"http://127.0.0.1:{port}"
        base_env.update(sandbox_pkg.settings(sandbox_url))
        # The demo's registry publishes a delegation in 10 s (--activation-propagation 10): the
        # activation check is worth spending then, not after the production 5 minutes.
        base_env["FACTORY_ACTIVATION_CHECK_AFTER_S"] = os.environ.get("FACTORY_ACTIVATION_CHECK_AFTER_S", "10")
        services.append(stack.Service(
            "sandbox", [stack.python_bin("python"), "-m", "devtools.sandbox", "--port", str(port),
                        "--state-dir", str(state_dir() / "sandbox"), *SANDBOX_DEMO_DELAYS],
            url=sandbox_url, health_url=f"{sandbox_url}/_sandbox/health", note="(vendor simulators)", ports=[port],
        ))
        sshd, ssh_settings = _sshd_service(sandbox_url)
        base_env.update(ssh_settings)
        services.append(sshd)
        https_host, https_settings = _https_host_service(ssh_settings["CLOUDPANEL_HOME_DIR"])
        base_env.update(https_settings)
        services.append(https_host)
    _up(services, base_env, url, directus, demo)


def _up(services: list[stack.Service], base_env: dict[str, str], url: str, directus: bool, demo: bool) -> None:

    if directus:
        from devtools import directus_server


        if directus_server.CLI.exists() or shutil.which("npm"):
            port = load_settings().directus_port
            directus_state = state_dir() / "directus"
            base_env.update(directus_server.local_settings(directus_state, port))
            services.append(stack.Service(
                "directus", [stack.python_bin("python"), "-m", "devtools.directus_server", "--port", str(port),
                             "--state-dir", str(directus_state)],
                url=f"http://127.0.0.1:{port}", health_url=f"http://127.0.0.1:{port}/server/ping",
                note=f"(admin@example.com; password = the static token in {directus_state / 'secrets.json'})",
                ports=[port], health_timeout=600,
            ))
        else:
            typer.echo("directus   skipped: not installed and no npm (run scripts/install-npm)")

    dagster_port = load_settings().dagster_port
    code_port = code_server_port(load_settings())
    home, dagster_env = _dagster_home(url, code_port)
    base_env.update(dagster_env)
    dagster_url = f"http://127.0.0.1:{dagster_port}"
    workspace = str(home / "workspace.yaml")
    services += [
        stack.Service(
            "code-server", [stack.python_bin("dagster"), "code-server", "start", "-h", "127.0.0.1",
                            "-p", str(code_port), "-f", "definitions.py", "-d", str(PROJECT_ROOT),
                            "--location-name", "website_factory"],
            url=f"grpc://127.0.0.1:{code_port}", note="(the code location, loaded once)", ports=[code_port],
            health_cmd=[stack.python_bin("dagster"), "api", "grpc-health-check", "-p", str(code_port)], gate=True),
        stack.Service(
            "dagster", [stack.python_bin("dagster-webserver"), "-w", workspace, "-h", "127.0.0.1",
                        "-p", str(dagster_port)],
            url=dagster_url, health_url=f"{dagster_url}/server_info", note="(Dagster UI)", ports=[dagster_port]),
        stack.Service("daemon", [stack.python_bin("dagster-daemon"), "run", "-w", workspace],
                      note="(sensors, schedules, run queue)"),
    ]

    api_port = load_settings().api_port
    ui = stack.build_ui(echo=typer.echo)
    hub_env = {"FACTORY_DAGSTER_URL": dagster_url}
    if ui is not None:
        hub_env["FACTORY_UI_DIST"] = str(ui)
    services.append(stack.Service(
        "hub", [stack.python_bin("factory"), "api", "--host", "127.0.0.1", "--port", str(api_port)],
        url=f"http://127.0.0.1:{api_port}", health_url=f"http://127.0.0.1:{api_port}/api/health",
        env=hub_env, note="(Hub API + UI)" if ui else "(Hub API; UI not built)", ports=[api_port],
    ))

    os.environ.update(base_env)
    operator = None
    if demo:
        from devtools.demo import seed

        seed()
        email = load_settings().demo_operator
        operator = (email, _demo_operator(email))
    local = stack.LocalStack(services, base_env)
    local.start(echo=typer.echo)
    if operator:
        typer.echo(f"\n  sign in to the Hub at http://127.0.0.1:{api_port} as {operator[0]} "
                   f"with password {operator[1]}")
    typer.echo(f"  logs in {local.log_dir}")
    typer.echo("ready; press Ctrl-C to stop")
    if demo:
        from devtools.demo import backfill_analytics_when_live

        threading.Thread(target=backfill_analytics_when_live, args=(dagster_url, typer.echo), daemon=True).start()
    raise typer.Exit(local.wait())
