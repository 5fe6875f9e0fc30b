"""The Compose deployment on this machine, for real: deploy/smoke builds every image (cached
between runs), starts the stack from nothing with deploy/docker-compose.local.yml, adds 5 sites
through the Hub API (through Caddy), waits until each is live (the daemon's sensor, runs in the
code container, the simulated vendors, a deploy over SSH to the CloudPanel stand-in), reads each
site's home page through Caddy, then backs the databases up and restores them into a fresh stack
(every volume gone) with nothing lost. .ci/run installs Docker and starts its daemon."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from factory.config import PROJECT_ROOT

SMOKE = PROJECT_ROOT / "deploy" / "smoke"


@pytest.mark.timeout(5400)
def test_the_stack_builds_onboards_serves_and_restores_from_a_backup(tmp_path):
    env = {**os.environ, "FACTORY_STACK_STATE": str(tmp_path / "stack"), "FACTORY_STACK_PROJECT": "wf-smoke-test"}
    result = subprocess.run([sys.executable, str(SMOKE), "--sites", "5"], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=5300)
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 0 and lines, f"smoke failed:\n{result.stderr[-8000:]}\n{result.stdout[-2000:]}"
    figures = json.loads(lines[-1])
    # Every image the stack runs exists, and no image is absurdly large.
    assert {"app", "sandbox", "postgres", "redis", "caddy", "directus"} <= set(figures["images"]), figures["images"]
    assert all(0 < mb < 4000 for mb in figures["images"].values()), figures["images"]
    # Every health check passed, every site went live and serves its own page through Caddy,
    # and no vendor holds anything twice.
    assert figures["healthy_s"] > 0
    assert figures["sites"] == figures["sites_live"] == figures["pages_ok"] == 5, figures
    assert figures["duplicates"] == 0, figures
    # The backup service made its scheduled backup; a backup restored into a fresh stack brought
    # back the live sites, Directus's pages, the analytics rows and Dagster's run history.
    restore = figures["restore"]
    assert restore["scheduled_backup"] and restore["intact"], restore
    assert figures["analytics_rows"] == restore["before"]["analytics_rows"] > 0, figures
    assert restore["before"]["content_pages"] >= 5 and restore["before"]["dagster_runs"] >= 5, restore
    assert restore["pages_ok"] == 5, restore
