"""The operator UI's own suites, run from pytest so `make test` covers them:
Vitest component tests (jsdom) and the end-to-end run in headless Chromium against the real
stack (ui/e2e/: fresh Postgres database, Hub API under uvicorn serving ui/dist).

Needs `npm ci` in ui/ and Debian's chromium (scripts/bootstrap installs both)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

# CI installs npm, ui/node_modules and Chromium (scripts/bootstrap): there, anything missing fails.
IN_CI = bool(os.environ.get("CI"))

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "ui"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

pytestmark = [
    pytest.mark.skipif(shutil.which("npm") is None and not IN_CI, reason="npm is not installed (Node 20.19+ needed for ui/)"),
    pytest.mark.skipif(not (UI / "node_modules").is_dir() and not IN_CI, reason="ui/node_modules is missing: run `npm ci --prefix ui`"),
]


def _npm(script: str, timeout: int) -> None:
    result = subprocess.run(["npm", "--prefix", str(UI), "run", script], cwd=ROOT, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"npm run {script} failed:\n{result.stdout[-8000:]}\n{result.stderr[-4000:]}"


def test_ui_type_checks_against_the_api_schema() -> None:
    """Types generated from ui/openapi.json (see test_api_schema.py), then tsc over the whole UI."""
    _npm("typecheck", timeout=600)


def test_ui_component_tests() -> None:
    _npm("test:unit", timeout=900)


@pytest.mark.skipif(not Path(CHROMIUM).exists() and not IN_CI, reason=f"{CHROMIUM} is missing: apt-get install -y chromium")
def test_ui_end_to_end_in_chromium() -> None:
    """Builds the UI, then drives it on the real stack; screenshots land in test-artifacts/ui/."""
    _npm("test:e2e", timeout=1200)
