"""Fixtures for the deployment tests: a Dagster instance configured exactly like production
(deploy/dagster*.yaml in a temp DAGSTER_HOME) on its own database in the machine's Postgres,
and a `dagster-daemon run` subprocess serving it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from factory.config import PROJECT_ROOT
from tests.conftest import empty_database

DEPLOY = PROJECT_ROOT / "deploy"
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


@pytest.fixture()
def dagster_db() -> Iterator[str]:
    """A database of our own for Dagster's tables (never the admin database)."""
    with empty_database("factory_deploy") as url:
        yield url


@dataclass
class DagsterDeployment:
    home: Path
    workspace: Path
    env: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)

    def start(self, name: str, argv: list[str], extra_env: dict[str, str] | None = None) -> subprocess.Popen:
        with open(self.home / f"{name}.log", "ab") as log:
            proc = subprocess.Popen(argv, cwd=self.home, env={**self.env, **(extra_env or {})}, stdout=log,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self.processes.append(proc)
        return proc

    def start_daemon(self) -> subprocess.Popen:
        return self.start("daemon", [str(BIN / "dagster-daemon"), "run", "-w", str(self.workspace)])

    def log(self, name: str) -> str:
        path = self.home / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        for proc in reversed(self.processes):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in reversed(self.processes):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def make_deployment(tmp_path: Path, dagster_yaml: str, pg_url: str, extra_env: dict[str, str]) -> DagsterDeployment:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DEPLOY / dagster_yaml, home / "dagster.yaml")
    workspace = home / "workspace.yaml"
    workspace.write_text(
        "load_from:\n"
        f"  - python_file:\n      relative_path: {HERE / 'limits_location.py'}\n"
        f"      working_directory: {PROJECT_ROOT}\n      location_name: limits\n"
    )
    env = {**os.environ, "DAGSTER_HOME": str(home), "DAGSTER_PG_URL": pg_url, "DAGSTER_DISABLE_TELEMETRY": "1",
           "PYTHONPATH": str(PROJECT_ROOT), **extra_env}
    return DagsterDeployment(home=home, workspace=workspace, env=env)


def submit_runs(instance, workspace_file: Path, partitions: list[str]) -> list[str]:
    """Submit one `limits_job` run per partition to the run queue, as the sensor or the UI would."""
    from dagster._cli.job import _create_run
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import WorkspaceFileTarget

    run_ids = []
    with WorkspaceProcessContext(instance, WorkspaceFileTarget([str(workspace_file)])) as ctx:
        workspace = ctx.create_request_context()
        location = workspace.get_code_location("limits")
        repo = next(iter(location.get_repositories().values()))
        remote_job = repo.get_full_job("limits_job")
        for key in partitions:
            run = _create_run(instance=instance, code_location=location, remote_repo=repo, remote_job=remote_job,
                              run_config={}, tags={"dagster/partition": key}, op_selection=None, run_id=None)
            instance.submit_run(run.run_id, workspace)
            run_ids.append(run.run_id)
    return run_ids


def wait_for_runs(instance, run_ids: list[str], timeout: float, deployment: DagsterDeployment) -> dict:
    from dagster import DagsterRunStatus

    done = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        records = {r.dagster_run.run_id: r for r in instance.get_run_records()
                   if r.dagster_run.run_id in run_ids}
        if len(records) == len(run_ids) and all(r.dagster_run.status in done for r in records.values()):
            return records
        for proc in deployment.processes:
            assert proc.poll() is None, f"{proc.args[0]} exited: {deployment.log('daemon')}"
        time.sleep(1)
    statuses = {r.dagster_run.run_id: r.dagster_run.status for r in instance.get_run_records()}
    raise AssertionError(f"runs did not finish in {timeout}s: {statuses}\n{deployment.log('daemon')}")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes minutes (the whole local stack); deselect with -m 'not slow'")
