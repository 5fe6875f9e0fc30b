"""Actions launch real Dagster runs: a dagster-webserver on the repository's workspace.yaml
(the real definitions.py), and the API's launch and recent-runs endpoints against it."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from factory.config import PROJECT_ROOT
from factory.orchestrator import DagsterGateway
from hub_api.main import create_app
from tests.hub_api.conftest import hub_settings

WEBSERVER = Path(sys.executable).with_name("dagster-webserver")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env_vars_the_resources_read() -> dict[str, str]:
    """A placeholder for every `EnvVar("X")` the code location's resources name, so the job's
    config resolves (the values are never used: the runs stay queued)."""
    names = set()
    for path in (PROJECT_ROOT / "resources").glob("*.py"):
        names |= set(re.findall(r'EnvVar\(\s*"([A-Z0-9_]+)"', path.read_text()))
    return {name: "placeholder-for-test" for name in names}


@pytest.fixture()
def dagster_url(tmp_path, clean_db):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    port = _free_port()
    import devtools.sandbox as sandbox

    # The vendor settings the resources read (pointing at a sandbox that is not running: the
    # runs stay queued, as no daemon runs here).
    env = {**_env_vars_the_resources_read(), **os.environ, **sandbox.settings("http://127.0.0.1:9"),
           "DAGSTER_HOME": str(home), "FACTORY_DATABASE_URL": clean_db}
    log = open(tmp_path / "webserver.log", "wb")
    # `timeout` makes the server stop by itself even if this test process dies.
    proc = subprocess.Popen(
        [shutil.which("timeout") or "timeout", "300", str(WEBSERVER), "-w", "workspace.yaml", "-h", "127.0.0.1",
         "-p", str(port)], cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                r = httpx.post(url + "/graphql", json={"query": "{ workspaceOrError { ... on Workspace {"
                                                               " locationEntries { loadStatus } } } }"}, timeout=5)
                entries = r.json()["data"]["workspaceOrError"]["locationEntries"]
                if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                    break
            except (httpx.HTTPError, KeyError, TypeError, ValueError):
                pass
            assert proc.poll() is None, (tmp_path / "webserver.log").read_text()[-3000:]
            time.sleep(1)
        else:
            pytest.fail("dagster-webserver did not load the code location in 120 s")
        yield url, home
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_an_action_launches_a_dagster_run_and_lists_it(dagster_url, clean_db, hub_store, auth) -> None:
    url, home = dagster_url
    from dagster import DagsterInstance
    from dagster._core.instance.ref import InstanceRef

    app = create_app(hub_settings(clean_db, FACTORY_DAGSTER_URL=url), store=hub_store, dagster=DagsterGateway(url))
    with TestClient(app) as client:
        client.post("/api/cloudflare-accounts", headers=auth,
                    json={"email": "cf@example.com", "account_nickname": "CF_1", "api_token": "t" * 24})
        assert client.post("/api/sites", headers=auth,
                           json={"domain": "launch-test.com", "cloudflare_account": "CF_1"}).status_code == 201
        # What the new-sites sensor does (no daemon runs here): add the site's partition.
        with DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
            instance.add_dynamic_partitions("site", ["launch-test.com"])

        step = client.post("/api/sites/launch-test.com/runs", headers=auth, json={"step": "dns_zone"})
        assert step.status_code == 202, step.text
        launched = step.json()
        assert launched["job"] == "onboard_site_job" and launched["url"] == f"{url}/runs/{launched['run_id']}"
        whole = client.post("/api/runs", headers=auth, json={"sites": ["launch-test.com", "nope.com"]})
        assert whole.status_code == 202 and len(whole.json()["launched"]) == 1, whole.text
        assert whole.json()["errors"][0]["site"] == "nope.com"

        runs = client.get("/api/sites/launch-test.com/runs", headers=auth)
        assert runs.status_code == 200, runs.text
        by_id = {r["run_id"]: r for r in runs.json()}
        assert launched["run_id"] in by_id and whole.json()["launched"][0]["run_id"] in by_id
        assert by_id[launched["run_id"]]["steps"] == ["dns_zone"]
        assert (by_id[launched["run_id"]]["trigger"], by_id[launched["run_id"]]["why"]) == ("hub", None)
        # The platform's own runs say why they started (the follow-up sensor's tags, through Dagster).
        follow_up = DagsterGateway(url).launch("launch-test.com", ["gsc_property"], tags={
            "factory/trigger": "follow-up", "factory/reason": "gsc_property: look again"})
        listed = {r["run_id"]: r for r in client.get("/api/sites/launch-test.com/runs", headers=auth).json()}
        assert (listed[follow_up]["trigger"], listed[follow_up]["why"]) == ("follow-up", "gsc_property: look again")

        assert by_id[launched["run_id"]]["job"] == "onboard_site_job"
        assert by_id[launched["run_id"]]["status"] in ("QUEUED", "NOT_STARTED", "STARTING", "STARTED", "SUCCESS",
                                                       "FAILURE")
        with DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
            run = instance.get_run_by_id(launched["run_id"])
            assert run.tags["dagster/partition"] == "launch-test.com"
        assert client.get("/api/health/details", headers=auth).json()["dagster"]["ok"] is True

    # The CLI lists the same runs, with why each started.
    from typer.testing import CliRunner

    from factory.cli import app as cli_app
    from factory.cli import common

    common.store.cache_clear()
    env = {"FACTORY_DATABASE_URL": clean_db, "FACTORY_DAGSTER_URL": url}
    shown = CliRunner().invoke(cli_app, ["sites", "runs", "launch-test.com"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "follow-up" in shown.output and "gsc_property: look again" in shown.output and "3 run(s)" in shown.output
    as_json = json.loads(CliRunner().invoke(cli_app, ["sites", "runs", "launch-test.com", "--json"], env=env).output)
    assert {r["run_id"] for r in as_json} == set(listed)
    unknown = CliRunner().invoke(cli_app, ["sites", "runs", "../etc;rm -rf /"], env=env)
    assert unknown.exit_code == 1 and "no site" in unknown.output and "Traceback" not in unknown.output
    common.store.cache_clear()


def test_an_unreachable_dagster_is_a_clear_503(client: TestClient, auth, accounts, clean_db, hub_store) -> None:
    app = create_app(hub_settings(clean_db), store=hub_store, dagster=DagsterGateway("http://127.0.0.1:9"))
    with TestClient(app) as c:
        c.post("/api/sites", headers=auth, json={"domain": "x.com", "cloudflare_account": "CF_1"})
        r = c.post("/api/sites/x.com/runs", headers=auth, json={})
        assert r.status_code == 503 and r.json() == {"detail": "Dagster is not reachable at http://127.0.0.1:9"}
