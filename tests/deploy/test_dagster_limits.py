"""The production Dagster configuration (deploy/dagster.yaml + deploy/pools.yaml), on real
Postgres, with a real `dagster-daemon run`: one run at a time per site partition, different
sites side by side, and a vendor pool never exceeded."""

from __future__ import annotations

import json
import subprocess
import sys
from itertools import combinations

import dagster as dg
import pytest
from dagster_postgres import PostgresRunStorage

from tests.deploy.conftest import DEPLOY, make_deployment, submit_runs, wait_for_runs

pytestmark = pytest.mark.timeout(600)

SLEEP = 4.0
# A pool of one makes the pool visible apart from the run limits: the runs of different sites
# overlap, but their `cloudflare` steps take turns.
POOL_LIMIT = 1


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _max_concurrency(intervals: list[tuple[float, float]]) -> int:
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals], key=lambda x: (x[0], x[1]))
    level = peak = 0
    for _, delta in events:
        level += delta
        peak = max(peak, level)
    return peak


def test_production_instance_config_loads(dagster_db, tmp_path, monkeypatch):
    deployment = make_deployment(tmp_path, "dagster.yaml", dagster_db, {})
    monkeypatch.setenv("DAGSTER_HOME", str(deployment.home))
    monkeypatch.setenv("DAGSTER_PG_URL", dagster_db)
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)  # held connections: test_dagster_storage.py
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        queue = instance.get_concurrency_config().run_queue_config
        assert {"key": "dagster/partition", "value": {"applyLimitPerUniqueValue": True}, "limit": 1} in \
            queue.tag_concurrency_limits
        assert queue.max_concurrent_runs > 1
        assert instance.run_monitoring_enabled and instance.run_monitoring_settings["free_slots_after_run_end_seconds"] > 0
        assert instance.run_retries_enabled and instance.run_retries_max_retries >= 1
        assert instance.run_retries_retry_on_asset_or_op_failure is False


def test_per_site_limit_and_pools_hold_under_the_daemon(dagster_db, tmp_path, monkeypatch):
    log = tmp_path / "steps.jsonl"
    deployment = make_deployment(tmp_path, "dagster.yaml", dagster_db, {
        "LIMITS_LOG": str(log), "LIMITS_SLEEP": str(SLEEP), "FACTORY_POOL_LIMIT_CLOUDFLARE": str(POOL_LIMIT)})
    monkeypatch.setenv("DAGSTER_HOME", str(deployment.home))
    monkeypatch.setenv("DAGSTER_PG_URL", dagster_db)

    # The pools as production applies them (deploy/pools.py at daemon start), one overridden.
    out = subprocess.run([sys.executable, str(DEPLOY / "pools.py")], env=deployment.env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert f"pool cloudflare       limit {POOL_LIMIT}" in out.stdout

    with dg.DagsterInstance.get() as instance:
        assert instance.event_log_storage.get_concurrency_info("cloudflare").slot_count == POOL_LIMIT
        assert instance.event_log_storage.get_concurrency_info("cloudpanel").slot_count == 2
        instance.add_dynamic_partitions("site", ["a.com", "b.com"])
        partitions = ["a.com", "a.com", "b.com"]
        run_ids = submit_runs(instance, deployment.workspace, partitions)  # queued, as the sensor does
        deployment.start_daemon()
        try:
            records = wait_for_runs(instance, run_ids, timeout=480, deployment=deployment)
        finally:
            deployment.stop()

        assert all(r.dagster_run.status == dg.DagsterRunStatus.SUCCESS for r in records.values()), \
            {k: r.dagster_run.status for k, r in records.items()}
        steps = [json.loads(line) for line in log.read_text().splitlines()]
        assert sorted(s["partition"] for s in steps) == sorted(partitions)

        # Per site: the two a.com runs (whole runs, not just their steps) never overlapped.
        a_runs = [records[i] for i, p in zip(run_ids, partitions) if p == "a.com"]
        first, second = sorted(a_runs, key=lambda r: r.start_time)
        assert first.end_time <= second.start_time, "two runs for the same site overlapped"
        a_steps = [(s["start"], s["end"]) for s in steps if s["partition"] == "a.com"]
        assert not _overlap(*a_steps)

        # Different sites ran side by side (their runs overlapped) ...
        spans = [(p, (records[i].start_time, records[i].end_time)) for i, p in zip(run_ids, partitions)]
        assert any(pa != pb and _overlap(ia, ib) for (pa, ia), (pb, ib) in combinations(spans, 2)), \
            f"runs for different sites never overlapped: {spans}"
        # ... but their steps in the `cloudflare` pool never exceeded the pool's limit.
        assert _max_concurrency([(s["start"], s["end"]) for s in steps]) <= POOL_LIMIT, steps
        # Every slot was given back.
        info = instance.event_log_storage.get_concurrency_info("cloudflare")
        assert info.active_slot_count == 0 and info.pending_step_count == 0
