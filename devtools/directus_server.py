"""Install and run a local Directus 11 (npm) on Postgres: for tests, benchmarks and `factory up`.

`install()` runs scripts/install-npm (directus/ + site_template/, skipped when up to date).
`start_directus(database_url, ...)` bootstraps the database (idempotent: migrations + first admin
with a static ADMIN_TOKEN) and starts the server on 127.0.0.1. The node process gets
PR_SET_PDEATHSIG, so it stops with the Python process that started it even on a crash.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

import psycopg

from factory.config import PROJECT_ROOT

DIRECTUS_DIR = PROJECT_ROOT / "directus"
CLI = DIRECTUS_DIR / "node_modules" / "directus" / "cli.js"


def install() -> None:
    """scripts/install-npm: `npm ci` (or the cached node_modules tarball) unless node_modules
    already matches package-lock.json; cheap to call."""
    subprocess.run([str(PROJECT_ROOT / "scripts" / "install-npm")], check=True, stdout=subprocess.DEVNULL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_database(admin_url: str, name: str) -> str:
    """Create database `name` (if missing) next to `admin_url`'s; return its URL."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unsafe database name {name!r}")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone() is None:
            conn.execute(f'create database "{name}"')
    return _with_database(admin_url, name)


def _with_database(url: str, name: str) -> str:
    """The same server URL (query string such as ?host=/socket/dir kept) with another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = %s"
                     " and pid <> pg_backend_pid()", (name,))
        conn.execute(f'drop database if exists "{name}"')


def _db_env(database_url: str) -> dict[str, str]:
    parts = urlsplit(database_url)
    socket_dir = parse_qs(parts.query).get("host", [None])[0]  # the embedded Postgres listens on a socket
    return {
        "DB_CLIENT": "pg", "DB_HOST": socket_dir or parts.hostname or "127.0.0.1", "DB_PORT": str(parts.port or 5432),
        "DB_DATABASE": parts.path.lstrip("/"), "DB_USER": unquote(parts.username or "postgres"),
        "DB_PASSWORD": unquote(parts.password or ""),
    }


def _node() -> list[str]:
    # setpriv (util-linux) sets PR_SET_PDEATHSIG before exec'ing node: Directus gets SIGTERM when
    # the Python process that started it dies, so it never outlives a crashed test or stack.
    return ["setpriv", "--pdeathsig", "TERM", "node"] if shutil.which("setpriv") else ["node"]


@dataclass
class DirectusServer:
    url: str
    token: str
    process: subprocess.Popen = field(repr=False)
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start_directus(database_url: str, *, state_dir: Path, token: str, key: str, secret: str,
                   admin_email: str = "admin@example.com", admin_password: str | None = None,
                   port: int | None = None, timeout: float = 180.0) -> DirectusServer:
    if not CLI.exists():
        raise RuntimeError(f"Directus is not installed; run scripts/install-npm (missing {CLI})")
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "uploads").mkdir(exist_ok=True)
    (state_dir / "extensions").mkdir(exist_ok=True)
    port = port or free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", str(state_dir)),
        **_db_env(database_url),
        "HOST": "127.0.0.1", "PORT": str(port), "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "KEY": key, "SECRET": secret,
        "ADMIN_EMAIL": admin_email, "ADMIN_PASSWORD": admin_password or token, "ADMIN_TOKEN": token,
        "TELEMETRY": "false", "LOG_LEVEL": "warn", "LOG_STYLE": "raw", "WEBSOCKETS_ENABLED": "false",
        "CACHE_ENABLED": "false", "RATE_LIMITER_ENABLED": "false", "MARKETPLACE_TRUST": "sandbox",
        "STORAGE_LOCATIONS": "local", "STORAGE_LOCAL_ROOT": str(state_dir / "uploads"),
        "EXTENSIONS_PATH": str(state_dir / "extensions"), "EXTENSIONS_AUTO_RELOAD": "false",
        "QUERY_LIMIT_MAX": "-1", "MAX_PAYLOAD_SIZE": "10mb", "NODE_ENV": "production",
    }
    log_path = state_dir / "directus.log"
    with open(log_path, "ab") as log:
        subprocess.run([*_node(), str(CLI), "bootstrap"], cwd=DIRECTUS_DIR, env=env, stdout=log,
                       stderr=subprocess.STDOUT, check=True, timeout=timeout)
        proc = subprocess.Popen([*_node(), str(CLI), "start"], cwd=DIRECTUS_DIR, env=env, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = DirectusServer(url=f"http://127.0.0.1:{port}", token=token, process=proc, log_path=log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Directus exited with {proc.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(f"{server.url}/server/ping", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"Directus did not answer within {timeout:.0f}s; see {log_path}")


# -- the local stack (`factory up`) ---------------------------------------------------------------
LOCAL_PORT = 8055


def local_secrets(state_dir: Path) -> dict[str, str]:
    """KEY, SECRET and the admin's static token for the local Directus, generated once (0600)."""
    path = state_dir / "secrets.json"
    if not path.exists():
        state_dir.mkdir(parents=True, exist_ok=True)
        data = {"key": secrets.token_hex(16), "secret": secrets.token_hex(32), "token": secrets.token_urlsafe(32)}
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(data, f)
    return json.loads(path.read_text())


def local_settings(state_dir: Path, port: int = LOCAL_PORT) -> dict[str, str]:
    """DIRECTUS_URL / DIRECTUS_TOKEN for the services of the local stack."""
    return {"DIRECTUS_URL": f"http://127.0.0.1:{port}", "DIRECTUS_TOKEN": local_secrets(state_dir)["token"]}


def main(argv: list[str] | None = None) -> int:
    """`python -m devtools.directus_server`: run the local Directus in the foreground
    (database `directus` next to the product's), until SIGTERM/Ctrl-C."""
    import argparse

    from factory.config import state_dir as factory_state_dir
    from factory.db import database_url

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=LOCAL_PORT)
    parser.add_argument("--state-dir", type=Path, default=None)
    parser.add_argument("--database", default="directus", help="database created next to FACTORY_DATABASE_URL's")
    args = parser.parse_args(argv)
    state = args.state_dir or factory_state_dir() / "directus"
    install()
    keys = local_secrets(state)
    server = start_directus(create_database(database_url(), args.database), state_dir=state, port=args.port,
                           token=keys["token"], key=keys["key"], secret=keys["secret"])
    print(f"Directus on {server.url} (static token in {state / 'secrets.json'})", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: server.stop())
    try:
        return server.process.wait()
    except KeyboardInterrupt:
        server.stop()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
