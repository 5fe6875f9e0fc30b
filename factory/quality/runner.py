"""Run the Node side (quality_runner/run.mjs) over a batch of built sites with one Chromium.

This module starts the batch's one Chromium (headless, a throw-away profile, DevTools on
127.0.0.1) and the local server for the sites (serve.py), then the Node runner, which connects
to that browser and reports one JSON line per audited page or screenshot. Chromium and the
runner each get their own process group, so whatever happens (a timeout, an exception) both are
stopped with everything they started, and the profile directory is removed.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

from factory.config import PROJECT_ROOT
from factory.quality.serve import SiteServer

RUNNER_DIR = PROJECT_ROOT / "quality_runner"
# Tracker requests are blocked while auditing: the gate measures the site, not Matomo's uptime.
BLOCKED = ["*/matomo.js", "*/matomo.php"]
# Lighthouse's own launcher flags (chrome-launcher DEFAULT_FLAGS), headless, plus: several tabs
# work at once, so none may be throttled for being in the background; and only our *.localhost
# origins resolve, so an audit never touches the network.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
    ("--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,"
     "CalculateNativeWinOcclusion,InterestFeedContentSuggestions,CertificateTransparencyComponentUpdater,"
     "AutofillServerCommunication,PrivacySandboxSettings4,RenderDocument"),
    "--disable-extensions", "--disable-component-extensions-with-background-pages", "--disable-background-networking",
    "--disable-component-update", "--disable-client-side-phishing-detection", "--disable-sync",
    "--metrics-recording-only", "--disable-default-apps", "--mute-audio", "--no-default-browser-check", "--no-first-run",
    "--disable-backgrounding-occluded-windows", "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling", "--disable-ipc-flooding-protection", "--password-store=basic",
    "--force-fieldtrials=*BackgroundTracing/default/", "--disable-hang-monitor", "--disable-prompt-on-repost",
    "--disable-domain-reliability", "--propagate-iph-for-testing",
    "--host-resolver-rules=MAP *.localhost 127.0.0.1, MAP * ~NOTFOUND",
]


class QualityRunError(RuntimeError):
    """The browser side could not run (not installed, no Chromium, crashed, too slow). `retryable`:
    it may pass on another attempt (a loaded machine, a crash), unlike a missing install."""

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


def site_pages(root: Path) -> list[str]:
    """The URL paths of a site's pages in its build output: "/" first, then the others sorted."""
    root = Path(root)
    if not (root / "index.html").is_file():
        raise QualityRunError(f"{root} has no index.html: not a site's build output")
    paths = sorted("/" + p.parent.relative_to(root).as_posix() + "/" for p in root.rglob("index.html")
                   if p.parent != root)
    return ["/"] + paths


def _die_with_parent(parent: int):
    """For Popen's preexec_fn: the child is killed when the process that started it dies (a step
    killed mid-batch leaves no Chromium or runner behind; they run in their own sessions, so a
    process-group kill of the step does not reach them)."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork, not in the child
    except (OSError, AttributeError):
        return None

    def arm() -> None:
        prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)
    return arm


def _stop(proc: subprocess.Popen) -> None:
    """Stop a process group we started (its leader still running): politely, then for good."""
    if proc.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=5)
            break
        except subprocess.TimeoutExpired:
            continue
    try:  # members that outlived their leader (Chromium's renderers)
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@contextmanager
def chromium_browser(chromium: str, timeout: float = 60) -> Iterator[str]:
    """One headless Chromium for a batch; yields its DevTools WebSocket URL (127.0.0.1 only)."""
    profile = Path(tempfile.mkdtemp(prefix="quality-chromium-"))
    proc = subprocess.Popen([chromium, *CHROMIUM_FLAGS, "--remote-debugging-address=127.0.0.1",
                             "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=_die_with_parent(os.getpid()))
    try:
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not (active.is_file() and len(active.read_text().splitlines()) >= 2):
            if proc.poll() is not None:
                raise QualityRunError(f"Chromium exited at start ({proc.returncode}): "
                                      f"{proc.stderr.read().decode(errors='replace')[-800:]}", retryable=True)
            if time.monotonic() > deadline:
                raise QualityRunError(f"Chromium did not start within {timeout:.0f}s", retryable=True)
            time.sleep(0.05)
        port, path = active.read_text().splitlines()[:2]
        yield f"ws://127.0.0.1:{port}{path}"
    finally:
        _stop(proc)
        if proc.stderr:
            proc.stderr.close()
        shutil.rmtree(profile, ignore_errors=True)


@contextmanager
def chromium_browsers(chromium: str, count: int) -> Iterator[list[str]]:
    """`count` headless Chromiums for a batch (started one after the other); their WebSocket URLs."""
    with ExitStack() as stack:
        yield [stack.enter_context(chromium_browser(chromium)) for _ in range(max(1, count))]


def browser_count(browsers: int | None, workers: int, sites: int) -> int:
    """Chromiums for a batch: one per worker unless fewer are asked for. Workers sharing one browser
    queue on its browser process (one main thread for every window's DevTools traffic): with
    two workers, a second browser cut the gate's wall time by a fifth to a third."""
    return max(1, min(browsers or workers, workers, sites))


def run_job(sites: Mapping[str, Path], *, lighthouse: bool, screenshot: dict | None = None, workers: int = 2,
            browsers: int | None = None, chromium: str = "/usr/bin/chromium",
            pages: Mapping[str, list[str]] | None = None, timeout: float | None = None) -> list[dict]:
    """Run the browser job over `sites` ({name: build output dir}) with `workers` Lighthouse
    processes sharing `browsers` Chromiums (default and at most: one per worker, never more than
    sites); return the runner's messages."""
    if not sites:
        return []
    script = RUNNER_DIR / "run.mjs"
    if not (RUNNER_DIR / "node_modules" / "lighthouse").is_dir():
        raise QualityRunError(f"the quality runner is not installed; run scripts/install-npm (missing "
                              f"{RUNNER_DIR / 'node_modules'})")
    if not Path(chromium).is_file():
        raise QualityRunError(f"Chromium not found at {chromium} (apt-get install chromium, or set CHROMIUM_PATH)")
    node = shutil.which("node")
    if node is None:
        raise QualityRunError("node is not installed (Node 20 is needed for the quality runner)")
    for name, path in sites.items():
        if not (Path(path) / "index.html").is_file():
            raise QualityRunError(f"{name}: {path} has no index.html: not a site's build output")
    pages = pages or {}
    started = time.monotonic()
    with SiteServer(sites) as server, chromium_browsers(chromium, browser_count(browsers, workers, len(sites))) as endpoints:
        job = {
            "browsers": endpoints, "workers": workers, "lighthouse": lighthouse, "blocked": BLOCKED,
            "screenshot": screenshot,
            "sites": [{"id": name, "origin": server.origin(name), "file": f"site{i}.png",
                       "pages": pages.get(name) or site_pages(path)} for i, (name, path) in enumerate(sites.items())],
        }
        per_site = (6.0 * max(len(s["pages"]) for s in job["sites"]) if lighthouse else 0.0) \
            + (3.0 if screenshot or not lighthouse else 0.0)
        limit = timeout or 60 + per_site * len(sites) / max(1, workers)
        # Its own process group: if it has to be stopped, its workers go with it.
        proc = subprocess.Popen([node, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd=RUNNER_DIR, text=True, start_new_session=True,
                                preexec_fn=_die_with_parent(os.getpid()), env={**os.environ, "NODE_ENV": "production"})
        try:
            stdout, stderr = proc.communicate(json.dumps(job), timeout=max(1.0, limit - (time.monotonic() - started)))
        except subprocess.TimeoutExpired:
            raise QualityRunError(f"the quality runner did not finish within {limit:.0f}s", retryable=True) from None
        finally:
            _stop(proc)
            proc.wait()
    messages = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not messages or messages[-1].get("type") != "done":
        tail = (stderr.strip() or stdout.strip())[-1500:]
        raise QualityRunError(f"the quality runner failed (exit {proc.returncode}): {tail}", retryable=True)
    return messages[:-1]
