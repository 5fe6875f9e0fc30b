"""The simulators' saved state (--state-dir), as `factory up` and the Compose stack use it: what a
request changed is on disk within a moment while running, and a stop by SIGTERM (docker stop)
keeps everything, so a restarted simulator still knows the sites it was told about."""
from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from devtools.sandbox import settings

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(port: int, state: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "devtools.sandbox", "--port", str(port), "--instant",
                             "--state-dir", str(state)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT)
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/_sandbox/health", timeout=2).raise_for_status()
            return proc
        except httpx.HTTPError:
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() else ""
            time.sleep(0.2)


def _matomo(env: dict, method: str, **params) -> object:
    data = {"module": "API", "method": method, "format": "JSON", "token_auth": env["MATOMO_TOKEN_AUTH"], **params}
    response = httpx.post(env["MATOMO_URL"] + "index.php", data=data, timeout=10)
    response.raise_for_status()
    return response.json()


def _saved_sites(state: Path) -> list[str]:
    try:
        data = json.loads((state / "state.json").read_text())
    except (OSError, ValueError):
        return []
    return [s["name"] for s in data["matomo"]["sites"]]


def test_changes_are_saved_while_running_and_survive_sigterm(tmp_path):
    port = _free_port()
    env = settings(f"http://127.0.0.1:{port}")
    proc = _start(port, tmp_path)
    try:
        _matomo(env, "SitesManager.addSite", siteName="kept.com", **{"urls[0]": "https://kept.com"})
        deadline = time.monotonic() + 10
        while "kept.com" not in _saved_sites(tmp_path):  # saved within a moment, not only on stop
            assert time.monotonic() < deadline, "the change was not saved while the simulator ran"
            time.sleep(0.1)
        _matomo(env, "SitesManager.addSite", siteName="last.com", **{"urls[0]": "https://last.com"})
    finally:
        proc.send_signal(signal.SIGTERM)  # right after the last change
        assert proc.wait(timeout=20) == 0, proc.stderr.read()
    assert {"kept.com", "last.com"} <= set(_saved_sites(tmp_path))

    proc = _start(port, tmp_path)
    try:
        found = _matomo(env, "SitesManager.getSitesIdFromSiteUrl", url="https://last.com")
        assert found and found[0]["idsite"], found
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
