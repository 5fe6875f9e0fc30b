"""A small stand-in for `dagster-daemon` in tests and benchmarks: ticks the code location's own
sensors against a real instance, applies their partition requests, and executes the runs they
request (each with its own asset selection) in worker processes, as a run queue would.

    with LocalDaemon(instance_dir, overrides, workers=3) as daemon:
        daemon.until(lambda: all_live(), timeout_s=600)

Run keys are honoured like Dagster does (a key runs once per sensor). Everything the product
does in a run — vendor calls, the step state machine, waits and their next checks — is real.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import dagster as dg

_worker: dict[str, Any] = {}
JOB = "onboard_site_job"


def _init(instance_dir: str, overrides: dict) -> None:
    import definitions
    from factory.config import load_settings

    _worker["job"] = definitions.build_definitions(load_settings()).resolve_job_def(JOB)
    _worker["instance"] = dg.DagsterInstance.local_temp(instance_dir, overrides=overrides)


def _execute(task: tuple[str, list[str] | None, dict[str, str]]) -> tuple[str, bool]:
    partition, assets, tags = task
    result = _worker["job"].execute_in_process(
        partition_key=partition, instance=_worker["instance"], raise_on_error=False, tags=tags,
        asset_selection=[dg.AssetKey(a) for a in assets] if assets else None)
    return partition, result.success


@dataclass
class DaemonStats:
    ticks: int = 0
    runs: int = 0
    failed_runs: int = 0
    runs_by_sensor: dict[str, int] = field(default_factory=dict)


class LocalDaemon:
    def __init__(self, instance_dir: str, overrides: dict, *, workers: int = 3,
                 sensors: tuple[str, ...] = ("new_sites_sensor", "waiting_sites_sensor")):
        import definitions
        from factory.config import load_settings

        self.defs = definitions.build_definitions(load_settings())
        self.instance = dg.DagsterInstance.local_temp(instance_dir, overrides=overrides)
        self.sensors = sensors
        self.cursors: dict[str, str | None] = {name: None for name in sensors}
        self.used_keys: set[tuple[str, str]] = set()
        self.stats = DaemonStats()
        context = multiprocessing.get_context("spawn")
        self.pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init,
                                        initargs=(instance_dir, overrides))

    def __enter__(self) -> LocalDaemon:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)
        self.instance.dispose()

    def tick(self) -> list[tuple[str, list[str] | None, dict[str, str]]]:
        """One evaluation of every sensor: partitions added/removed, the new runs to execute."""
        tasks = []
        self.stats.ticks += 1
        for name in self.sensors:
            sensor = self.defs.resolve_sensor_def(name)
            with dg.build_sensor_context(instance=self.instance, cursor=self.cursors[name],
                                         resources={"factory": self.defs.resources["factory"]}) as ctx:
                result = sensor(ctx)
            if isinstance(result, dg.SensorResult):
                self.cursors[name] = result.cursor if result.cursor is not None else self.cursors[name]
                for request in result.dynamic_partitions_requests or []:
                    if isinstance(request, dg.AddDynamicPartitionsRequest):
                        self.instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
                    else:
                        for key in request.partition_keys:
                            self.instance.delete_dynamic_partition(request.partitions_def_name, key)
                requests = result.run_requests or []
            else:
                requests = []
            for request in requests:
                key = (name, request.run_key or "")
                if request.run_key and key in self.used_keys:
                    continue  # Dagster runs a run key once per sensor
                self.used_keys.add(key)
                assets = [k.to_user_string() for k in request.asset_selection] if request.asset_selection else None
                tasks.append((request.partition_key, assets, dict(request.tags or {})))
                self.stats.runs_by_sensor[name] = self.stats.runs_by_sensor.get(name, 0) + 1
        return tasks

    def execute(self, tasks: list[tuple[str, list[str] | None, dict[str, str]]]) -> dict[str, bool]:
        # One run per partition at a time (like the deployment's tag limit): merge a site's requests.
        merged: dict[str, tuple[str, list[str] | None, dict[str, str]]] = {}
        for partition, assets, tags in tasks:
            if partition in merged:
                current = merged[partition][1]
                assets = None if current is None or assets is None else sorted(set(current) | set(assets))
            merged[partition] = (partition, assets, tags)
        outcomes = dict(self.pool.map(_execute, merged.values()))
        self.stats.runs += len(outcomes)
        self.stats.failed_runs += sum(1 for ok in outcomes.values() if not ok)
        return outcomes

    def until(self, done: Callable[[], bool], *, timeout_s: float, interval_s: float = 1.0) -> bool:
        """Tick and execute until `done()` or the timeout; True if done."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            tasks = self.tick()
            if tasks:
                self.execute(tasks)
            if done():
                return True
            if not tasks:
                time.sleep(interval_s)
        return done()
