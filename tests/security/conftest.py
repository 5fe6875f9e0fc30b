"""Security probes (issue 15) through the public interfaces: HTTP, the CLI, CSV files.

Reuses the Hub API fixtures (the app on the session's real Postgres, a signed-in operator) and
the CLI runner of the foundation tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from factory.cli import app as cli_app
from factory.cli import common
from tests.hub_api.conftest import (  # noqa: F401  (fixtures)
    accounts,
    app,
    auth,
    client,
    fake_dagster,
    hub_store,
    token,
)

FACTORY = Path(sys.executable).with_name("factory")


def send_json(http, method: str, path: str, body: object, headers: dict | None = None):
    """A JSON request as any client may send it: non-ASCII as \\u escapes, so lone surrogates
    ("\\ud800") go over the wire as JSON allows, where httpx's own encoder would refuse them."""
    return http.request(method, path, content=json.dumps(body).encode("ascii"),
                          headers={"Content-Type": "application/json", **(headers or {})})


@pytest.fixture()
def cli(clean_db: str, monkeypatch):
    """`factory ...` in process (CliRunner) on the test database."""
    monkeypatch.setenv("FACTORY_DATABASE_URL", clean_db)
    common.store.cache_clear()
    runner = CliRunner()

    def run(*args: str, env: dict[str, str] | None = None, input: str | None = None):
        return runner.invoke(cli_app, list(args), env=env, input=input)

    yield run
    common.store.cache_clear()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def hub_server(clean_db: str, hub_store, tmp_path) -> Iterator[callable]:  # noqa: F811  (hub_store: the operator)
    """Start `factory api` (real uvicorn, N workers) on the test database; stopped at the end."""
    started: list[subprocess.Popen] = []
    logs = contextlib.ExitStack()

    def start(workers: int = 2, **env: str) -> str:
        port = free_port()
        environment = {**os.environ, "FACTORY_DATABASE_URL": clean_db, "FACTORY_JWT_SECRET": "test-jwt-secret-" + "x" * 32,
                       "FACTORY_UI_DIST": str(tmp_path / "no-ui"), "FACTORY_DAGSTER_URL": "http://127.0.0.1:9",
                       "FACTORY_LOG_FILE": str(tmp_path / "hub.log"), **env}
        log = logs.enter_context(open(tmp_path / f"hub-{port}.out", "wb"))  # noqa: SIM115  (closed below)
        proc = subprocess.Popen([str(FACTORY), "api", "--host", "127.0.0.1", "--port", str(port),
                                 "--workers", str(workers)], env=environment, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        started.append(proc)
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                    return base
            except httpx.HTTPError:
                time.sleep(0.2)
            if proc.poll() is not None:
                break
        raise AssertionError((tmp_path / f"hub-{port}.out").read_text())

    yield start
    for proc in started:  # the server and its workers: the process group it was started in
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    logs.close()
