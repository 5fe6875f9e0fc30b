"""The local stack behind `factory up`: every service on local defaults, stopped together.

Each service is a child process in its own process group; Ctrl-C (or any child dying) stops
them all. The embedded Postgres keeps running between runs (it is cheap and holds the data).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
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


def wait_for_http(url: str, timeout: float = 120.0, proc: subprocess.Popen | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return True
        except Exception:
            time.sleep(0.5)
    return False


class LocalStack:
    def __init__(self, services: list[Service], base_env: dict[str, str]):
        self.services = services
        self.base_env = base_env
        self.log_dir = state_dir() / "logs"

    def start(self, echo=print) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for service in self.services:
            log = open(self.log_dir / f"{service.name}.log", "ab")
            service.process = subprocess.Popen(
                service.argv, cwd=PROJECT_ROOT, env={**os.environ, **self.base_env, **service.env},
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )
            echo(f"starting {service.name} ...")
            if service.health_url and not wait_for_http(service.health_url, proc=service.process):
                self.stop()
                raise RuntimeError(f"{service.name} did not start; see {self.log_dir / (service.name + '.log')}")
            if service.url:
                echo(f"  {service.name:<14} {service.url}")

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
        for service in reversed(self.services):
            proc = service.process
            if proc and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for service in reversed(self.services):
            proc = service.process
            if proc:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


def python_bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))
