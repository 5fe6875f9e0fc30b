"""Run the Node side (quality_runner/run.mjs) over a batch of built sites with one Chromium.

The sites are served by one local server (serve.py); the runner reports one JSON line per
audited page or screenshot, which this module collects.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from factory.config import PROJECT_ROOT
from factory.quality.serve import SiteServer

RUNNER_DIR = PROJECT_ROOT / "quality_runner"
# Tracker requests are blocked while auditing: the gate measures the site, not Matomo's uptime.
BLOCKED = ["*/matomo.js", "*/matomo.php"]


class QualityRunError(RuntimeError):
    """The browser side could not run (not installed, no Chromium, crashed)."""


def site_pages(root: Path) -> list[str]:
    """The URL paths of a site's pages in its build output: "/" first, then the others sorted."""
    root = Path(root)
    if not (root / "index.html").is_file():
        raise QualityRunError(f"{root} has no index.html: not a site's build output")
    paths = sorted("/" + p.parent.relative_to(root).as_posix() + "/" for p in root.rglob("index.html")
                   if p.parent != root)
    return ["/"] + paths


def run_job(sites: Mapping[str, Path], *, lighthouse: bool, screenshot: dict | None = None, workers: int = 2,
            chromium: str = "/usr/bin/chromium", pages: Mapping[str, list[str]] | None = None,
            timeout: float | None = None) -> list[dict]:
    """Run the browser job over `sites` ({name: build output dir}); return the runner's messages."""
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
    with SiteServer(sites) as server:
        job = {
            "chromium": chromium, "workers": workers, "lighthouse": lighthouse, "blocked": BLOCKED,
            "screenshot": screenshot,
            "sites": [{"id": name, "origin": server.origin(name), "file": f"site{i}.png",
                       "pages": pages.get(name) or site_pages(path)} for i, (name, path) in enumerate(sites.items())],
        }
        per_site = 6.0 * max(len(s["pages"]) for s in job["sites"]) if lighthouse else 3.0
        limit = timeout or 60 + per_site * len(sites) / max(1, workers)
        try:
            proc = subprocess.run(["node", str(script)], input=json.dumps(job), cwd=RUNNER_DIR, capture_output=True,
                                  text=True, timeout=limit, env={**os.environ, "NODE_ENV": "production"}, check=False)
        except subprocess.TimeoutExpired:
            raise QualityRunError(f"the quality runner did not finish within {limit:.0f}s") from None
    messages = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not messages or messages[-1].get("type") != "done":
        tail = (proc.stderr.strip() or proc.stdout.strip())[-1500:]
        raise QualityRunError(f"the quality runner failed (exit {proc.returncode}): {tail}")
    return messages[:-1]
