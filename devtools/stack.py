"""The local stack behind `factory up`: every service on local defaults, stopped together.

Each service is a child process in its own process group (or, for in-process starters such as
the test sshd, a process we hold); Ctrl-C (or any child dying) stops them all. The embedded
Postgres keeps running between runs (it is cheap and holds the data).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from factory.config import PROJECT_ROOT, state_dir


@dataclass
class Service:
    name: str
    argv: list[str]
    url: str | None = None
    health_url: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    # Instead of argv: a callable that starts the process itself and returns it.
    starter: Callable[[], subprocess.Popen] | None = None
    note: str = ""
    health_timeout: float = 300.0
    ports: list[int] = field(default_factory=list)  # must be free before the service starts
    # Instead of health_url: a command that exits 0 once the service serves (e.g. a gRPC check).
    health_cmd: list[str] | None = None
    # The services after this one start only once it is healthy (e.g. the code server they load from).
    gate: bool = False


class StackError(ValueError):
    """A local stack that cannot start, said in one line (a ValueError: the CLI prints it, no traceback)."""


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
        return True


def check_ports_free(ports: list[tuple[str, int]]) -> None:
    """Raise StackError naming every port (by its service) that something already listens on."""
    busy = [(name, port) for name, port in ports if not port_is_free(port)]
    if busy:
        raise StackError("ports in use: " + ", ".join(f"{name} {port}" for name, port in busy)
                         + " (is `factory up` already running? otherwise set FACTORY_*_PORT to free ones)")


def wait_for_http(url: str, timeout: float = 120.0, proc: subprocess.Popen | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return True
        except (OSError, ValueError):
            time.sleep(0.5)
    return False


def wait_for_command(argv: list[str], timeout: float, proc: subprocess.Popen | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        if subprocess.run(argv, capture_output=True, timeout=60, check=False).returncode == 0:
            return True
        time.sleep(1)
    return False


def interrupt_on_signals() -> None:
    """SIGTERM (a supervisor, `kill`) and SIGINT stop as Ctrl-C does: KeyboardInterrupt, so the
    clean-up on the way out runs. SIGINT explicitly: a process started in the background by a
    non-interactive shell inherits SIGINT ignored, and Python leaves it ignored."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


class LocalStack:
    def __init__(self, services: list[Service], base_env: dict[str, str]):
        self.services = services
        self.base_env = base_env
        self.log_dir = state_dir() / "logs"

    def start(self, echo=print) -> None:
        """Start every service, then wait until each answers (they start side by side). Ctrl-C
        or a failure on the way stops whatever was already started."""
        try:
            self._start(echo)
        except BaseException:
            self.stop()
            raise

    def _start(self, echo) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        check_ports_free([(s.name, port) for s in self.services for port in s.ports])
        for service in self.services:
            echo(f"starting {service.name} ...")
            if service.starter is not None:
                service.process = service.starter()
                continue
            with open(self.log_dir / f"{service.name}.log", "ab") as log:  # Popen keeps its own copy
                service.process = subprocess.Popen(
                    service.argv, cwd=PROJECT_ROOT, env={**os.environ, **self.base_env, **service.env},
                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                )
            if service.gate:
                self._wait_healthy(service)
        for service in self.services:
            self._wait_healthy(service)
        echo("")
        for service in self.services:
            if service.url:
                echo(f"  {service.name:<10} {service.url}{('  ' + service.note) if service.note else ''}")

    def _wait_healthy(self, service: Service) -> None:
        ok = True
        if service.health_url:
            ok = wait_for_http(service.health_url, service.health_timeout, service.process)
        elif service.health_cmd:
            ok = wait_for_command(service.health_cmd, service.health_timeout, service.process)
        if not ok:
            raise StackError(f"{service.name} did not start; see {self.log_dir / (service.name + '.log')}")

    def wait(self) -> int:
        """Block until Ctrl-C/SIGTERM or a service exits; then stop everything."""
        stop = {"now": False}

        def handler(signum, frame):
            stop["now"] = True

        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)
        code = 0
        while not stop["now"]:
            for service in self.services:
                if service.process and service.process.poll() is not None:
                    print(f"{service.name} exited with {service.process.returncode}; stopping", file=sys.stderr)
                    code = 1
                    stop["now"] = True
            time.sleep(0.5)
        self.stop()
        return code

    def stop(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not cut the clean-up short
            signal.signal(sig, signal.SIG_IGN)
        for service in reversed(self.services):
            proc = service.process
            if proc and proc.poll() is None:
                _signal(proc, signal.SIGTERM, own_group=service.starter is None)
        for service in reversed(self.services):
            proc = service.process
            if proc:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    _signal(proc, signal.SIGKILL, own_group=service.starter is None)
                    proc.wait()
                if service.starter is None:
                    # Whatever the service left behind in its group (e.g. dagster dev's children).
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass


def _signal(proc: subprocess.Popen, sig: int, own_group: bool) -> None:
    try:
        if own_group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
    except ProcessLookupError:
        pass


def python_bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


# What a build of ui/dist is made from: a change to any of them makes the built UI stale.
UI_SOURCES = ("src", "index.html", "package.json", "package-lock.json", "openapi.json", "vite.config.ts",
              "tsconfig.json")


def ui_is_stale(ui: Path) -> bool:
    """Whether ui/dist is missing or older than a file it is built from."""
    built = ui / "dist" / "index.html"
    if not built.exists():
        return True
    built_at = built.stat().st_mtime
    for name in UI_SOURCES:
        source = ui / name
        files = source.rglob("*") if source.is_dir() else [source]
        if any(f.is_file() and f.stat().st_mtime > built_at for f in files):
            return True
    return False


def build_ui(echo=print, root: Path | None = None) -> Path | None:
    """ui/dist, built with npm when it is missing or older than its sources (and npm is
    available); None when there is no UI."""
    ui = (root or PROJECT_ROOT) / "ui"
    dist = ui / "dist"
    if not ui_is_stale(ui):
        return dist
    built = (dist / "index.html").exists()
    if not (ui / "package.json").exists() or shutil.which("npm") is None:
        if built:  # stale, but nothing here can rebuild it: the last build is better than none
            echo("ui             older than its sources, and no npm to rebuild it")
            return dist
        echo("ui             not built (no ui/ or no npm); the Hub API serves the API only")
        return None
    echo(f"{'rebuilding the UI (its sources changed)' if built else 'building the UI'} (npm --prefix ui run build) ...")
    try:
        if not (ui / "node_modules").exists():
            subprocess.run(["npm", "--prefix", str(ui), "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                           check=True, stdout=subprocess.DEVNULL, timeout=900)
        subprocess.run(["npm", "--prefix", str(ui), "run", "build"], check=True, stdout=subprocess.DEVNULL,
                       timeout=900)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        echo(f"ui             build failed ({exc}); the Hub API serves the API only")
        return None
    return dist if (dist / "index.html").exists() else None
