"""Scale-out by configuration: deploy/dagster.celery.yaml sends every run to Celery workers
through Redis. A real daemon, a real `celery -A dagster_celery.app worker` (deploy/celery) and the
machine's Redis run a job end to end."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import dagster as dg
import pytest
import yaml

from tests.deploy.conftest import (
    BIN,
    DEPLOY,
    make_deployment,
    submit_runs,
    wait_for_runs,
)

pytestmark = pytest.mark.timeout(600)

REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


def test_celery_config_differs_from_production_only_in_the_launcher():
    base = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    celery = yaml.safe_load((DEPLOY / "dagster.celery.yaml").read_text())
    assert celery.pop("run_launcher")["class"] == "CeleryRunLauncher"
    assert "run_launcher" not in base
    assert celery == base


# In CI (which starts Redis) a missing broker is a failure, not a skip.
@pytest.mark.skipif(not _redis_up() and not os.environ.get("CI"), reason="no Redis on 127.0.0.1:6379")
def test_a_run_goes_to_a_celery_worker(dagster_db, tmp_path, monkeypatch):
    log = tmp_path / "steps.jsonl"
    broker, backend = "redis://127.0.0.1:6379/13", "redis://127.0.0.1:6379/14"
    deployment = make_deployment(tmp_path, "dagster.celery.yaml", dagster_db, {
        "LIMITS_LOG": str(log), "LIMITS_SLEEP": "1",
        "DAGSTER_CELERY_BROKER_URL": broker, "DAGSTER_CELERY_BACKEND_URL": backend})
    monkeypatch.setenv("DAGSTER_HOME", str(deployment.home))
    for key in ("DAGSTER_PG_URL", "DAGSTER_CELERY_BROKER_URL", "DAGSTER_CELERY_BACKEND_URL"):
        monkeypatch.setenv(key, deployment.env[key])

    command = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"]["worker"]["command"]
    assert command[command.index("--pool") + 1] == "threads"
    worker_name = f"factory-test-{tmp_path.name}@%h"
    worker = deployment.start("worker", [
        str(BIN / "celery"), "-A", "dagster_celery.app", "worker", "-Q", "dagster", "--prefetch-multiplier=1",
        "--pool", "threads", "--concurrency", "1", "--loglevel", "INFO", "-n", worker_name, "--without-gossip", "--without-mingle"],
        extra_env={"PYTHONPATH": f"{DEPLOY / 'celery'}:{deployment.env['PYTHONPATH']}"})
    with dg.DagsterInstance.get() as instance:
        assert type(instance.run_launcher).__name__ == "CeleryRunLauncher"
        instance.add_dynamic_partitions("site", ["x.com"])
        (run_id,) = submit_runs(instance, deployment.workspace, ["x.com"])
        deployment.start_daemon()
        try:
            records = wait_for_runs(instance, [run_id], timeout=480, deployment=deployment)
            run = records[run_id].dagster_run
            assert run.status == dg.DagsterRunStatus.SUCCESS, deployment.log("worker")
            task_id = run.tags["dagster-celery/task_id"]
            worker_log = deployment.home / "worker.log"
            deadline = time.monotonic() + 60
            while f"[{task_id}] succeeded" not in worker_log.read_text(errors="replace"):
                assert time.monotonic() < deadline, deployment.log("worker")
                time.sleep(0.5)
        finally:
            deployment.stop()
        assert worker.poll() is not None
        step = Path(log).read_text().strip().splitlines()
        assert len(step) == 1 and '"partition": "x.com"' in step[0]
