"""`factory up` (what `make start` runs), end to end, on a fresh FACTORY_HOME and free ports:
every service answers, a demo site onboards through the sensor and a real run (visible in the
Hub API and in Dagster), and Ctrl-C leaves no process behind.

SLOW: several minutes (Directus bootstrap, Dagster start-up, the sensor's 15 s ticks, one
onboarding run); on a busy 2-core machine up to ~10 minutes. Marked `slow`; skip it with
`-m 'not slow'`.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from factory.config import PROJECT_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

DEMO_SITE = "demo-bakery.com"


def _free_ports(names: tuple[str, ...]) -> dict[str, int]:
    """Distinct free ports, held open together while chosen; DAGSTER's next port (the code
    server's, `factory up` uses DAGSTER + 1) is free too."""
    held: list[socket.socket] = []
    try:
        def grab(port: int = 0) -> int:
            s = socket.socket()
            held.append(s)
            s.bind(("127.0.0.1", port))
            return s.getsockname()[1]

        ports = {}
        for name in names:
            while True:
                port = grab()
                if name != "DAGSTER":
                    break
                try:
                    grab(port + 1)
                    break
                except OSError:
                    continue
            ports[name] = port
        return ports
    finally:
        for s in held:
            s.close()


def _get(url: str, token: str | None = None, data: dict | None = None, timeout: float = 5):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=body, headers=headers)
    with urllib.request.urlopen(req, timeout=timeout) as response:
        return json.loads(response.read() or b"null") if "json" in response.headers.get("content-type", "") \
            else response.read()


def _wait(predicate, timeout: float, what: str, proc: subprocess.Popen, out: Path):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"factory up exited ({proc.returncode}):\n{out.read_text()[-3000:]}"
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - not up yet
            last = exc
        time.sleep(2)
    raise AssertionError(f"{what} not reached in {timeout:.0f}s (last: {last!r})\n{out.read_text()[-3000:]}")


def _processes_of(home: Path) -> list[tuple[int, str]]:
    """Live processes started for this FACTORY_HOME (their environment or command line says so),
    the embedded Postgres included: Ctrl-C stops everything `factory up` started."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = next((ln for ln in (entry / "status").read_text().splitlines() if ln.startswith("State:")), "")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        # The sshd runs with an environment of its own: its command line names its config under home.
        if (f"FACTORY_HOME={home}".encode() in environ or str(home) in cmdline) and "Z (zombie)" not in state:
            found.append((int(entry.name), cmdline[:160]))
    return found


def _factory_up(tmp_path: Path, **popen) -> tuple[subprocess.Popen, Path, Path, dict[str, int]]:
    """`factory up` on a fresh FACTORY_HOME and free ports: the process, its output file, the home, the ports."""
    home = tmp_path / "factory_home"
    ports = _free_ports(("DAGSTER", "SANDBOX", "API", "DIRECTUS", "LOCAL_HTTPS", "LOCAL_HTTP"))
    out = tmp_path / "factory-up.out"
    with open(out, "wb") as log:
        proc = subprocess.Popen(FACTORY_UP, cwd=PROJECT_ROOT, env=_env(home, ports), stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, **popen)
    return proc, out, home, ports


FACTORY_UP = [str(Path(sys.executable).with_name("factory")), "up"]


def _env(home: Path, ports: dict[str, int]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FACTORY_", "DAGSTER_", "CLOUDPANEL_", "DIRECTUS_", "PYTEST"))}
    env.update({"FACTORY_HOME": str(home), "PYTHONUNBUFFERED": "1",
                **{f"FACTORY_{name}_PORT": str(port) for name, port in ports.items()}})
    return env


def _kill_leftovers(home: Path) -> list[tuple[int, str]]:
    """What still runs for `home` a moment after `factory up` exited, killed (returned for the assertion)."""
    time.sleep(3)
    left = _processes_of(home)
    for pid, _ in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if left and (home / "pgdata").exists():
        # Clean up after a failure (pgserver runs Postgres as its own user: pg_ctl as root refuses).
        import pgserver

        try:
            pgserver.get_server(home / "pgdata", cleanup_mode="stop").cleanup()
        except Exception:  # noqa: BLE001 - it stopped by itself meanwhile; `left` says what was running
            pass
    return left


def test_factory_up_runs_the_whole_product_and_stops_cleanly(tmp_path):
    started = time.monotonic()
    proc, out, home, ports = _factory_up(tmp_path)
    hub = f"http://127.0.0.1:{ports['API']}"
    dagster = f"http://127.0.0.1:{ports['DAGSTER']}"
    try:
        _wait(lambda: "ready; press Ctrl-C" in out.read_text(), 900, "factory up ready", proc, out)
        up_seconds = time.monotonic() - started
        assert _get(f"{hub}/api/health")
        assert _get(f"{dagster}/server_info")
        assert _get(f"http://127.0.0.1:{ports['SANDBOX']}/_sandbox/health") is not None
        text = out.read_text()
        for url in (hub, dagster, f"http://127.0.0.1:{ports['SANDBOX']}"):
            assert url in text, text
        match = re.search(r"as (\S+@\S+) with password (\S+)", text)
        assert match, text
        # A second `factory up` beside the running one: one line, exit 1, and nothing of the first touched
        # (it had re-seeded the demo password, rewritten the sshd's settings and stopped the database).
        second = subprocess.run(FACTORY_UP, cwd=PROJECT_ROOT, env=_env(home, ports), capture_output=True,
                                text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert second.returncode == 1, second
        assert "ports in use" in second.stderr and "already running" in second.stderr, second.stderr
        assert "Traceback" not in second.stdout + second.stderr, second.stderr
        assert second.stdout == "", second.stdout  # nothing started, migrated or seeded
        token = _get(f"{hub}/api/auth/token", data={"email": match[1], "password": match[2]})["access_token"]

        def onboarded():
            page = _get(f"{hub}/api/sites?limit=100", token)
            items = page["items"] if isinstance(page, dict) else page
            site = next(s for s in items if s["domain"] == DEMO_SITE)
            return site if site["status_dns"] == "active" and site["status_hosting"] == "active" else None

        site = _wait(onboarded, 600, f"{DEMO_SITE} onboarded", proc, out)
        assert site["matomo_site_id"] is not None
        # The same run is visible in Dagster.
        query = '{ runsOrError(filter: {tags: [{key: "dagster/partition", value: "%s"}]}) ' \
                '{ ... on Runs { results { runId status jobName } } } }' % DEMO_SITE
        runs = _get(f"{dagster}/graphql", data={"query": query})["data"]["runsOrError"]["results"]
        assert any(r["jobName"] == "onboard_site_job" for r in runs), runs
        onboard_seconds = time.monotonic() - started
    finally:
        children = _processes_of(home)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
        finally:
            left = _kill_leftovers(home)
    # sandbox, sshd, code server, webserver, daemon, hub, Postgres, ...
    assert len(children) >= 6, children
    assert any("postgres" in cmd for _, cmd in children), children
    assert proc.returncode == 0, out.read_text()[-2000:]
    assert left == [], f"left running after Ctrl-C: {left}"
    print(f"factory up ready in {up_seconds:.0f}s; {DEMO_SITE} onboarded after {onboard_seconds:.0f}s")


def test_sigterm_while_starting_stops_what_already_started(tmp_path):
    """A supervisor's SIGTERM (or `kill`) while `factory up` is still starting, with SIGINT ignored
    as a background job of a non-interactive shell has it: it stops promptly and leaves nothing
    running (Directus, the sandbox, the sshd and the embedded Postgres had been left behind)."""
    proc, out, home, _ = _factory_up(tmp_path, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        # Mid-start: the database, the sandbox, the sshd and Directus run; the code server is starting.
        _wait(lambda: "starting code-server" in out.read_text(), 600, "start-up under way", proc, out)
        assert proc.poll() is None, out.read_text()
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=90)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        left = _kill_leftovers(home)
    assert "ready; press Ctrl-C" not in out.read_text()
    assert left == [], f"left running after SIGTERM: {left}\n{out.read_text()[-2000:]}"
    # One line and the shell's code for a process ended by SIGTERM, not typer's "Aborted!" (1).
    assert proc.returncode == 143, out.read_text()[-2000:]
    assert "stopped while starting (SIGTERM)" in out.read_text() and "Aborted!" not in out.read_text()
