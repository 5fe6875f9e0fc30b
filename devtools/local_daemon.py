"""A small stand-in for `dagster-daemon` in tests and benchmarks: ticks the code location's own
sensors against a real instance, applies their partition requests, and executes the runs they
request (each with its own asset selection) in worker processes, as the run queue would: runs
go on while the sensors keep ticking, at most one run per site at a time (the deployment's
`dagster/partition` limit), the highest `dagster/priority` started first, then the oldest; a
site's queued requests of equal priority are merged into one run.

    with LocalDaemon(instance_dir, overrides, workers=3) as daemon:
        daemon.until(lambda: all_live(), timeout_s=600)

Run keys are honoured like Dagster does (a key runs once per sensor). Everything the product
does in a run — vendor calls, the step state machine, waits and their next checks — is real.
`launch_faults` makes that fraction of launches die before their first step (a code server that
did not start in time), recorded as failed runs, as Dagster would: `failed_launches_sensor`
must bring them back.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Self

import dagster as dg

_worker: dict[str, Any] = {}
JOB = "onboard_site_job"
SENSORS = ("new_sites_sensor", "waiting_sites_sensor", "failed_launches_sensor")
PRIORITY_TAG = "dagster/priority"


@dataclass(frozen=True)
class Task:
    partition: str
    assets: list[str] | None  # None: the whole job
    tags: dict[str, str]
    sensor: str = ""


def _init(instance_dir: str, overrides: dict) -> None:
    import definitions
    from factory.config import load_settings

    _worker["job"] = definitions.build_definitions(load_settings()).resolve_job_def(JOB)
    _worker["instance"] = dg.DagsterInstance.local_temp(instance_dir, overrides=overrides)


def _execute(task: Task) -> tuple[str, bool]:
    result = _worker["job"].execute_in_process(
        partition_key=task.partition, instance=_worker["instance"], raise_on_error=False, tags=task.tags,
        asset_selection=[dg.AssetKey(a) for a in task.assets] if task.assets else None)
    return task.partition, result.success


def _priority(task: Task) -> int:
    try:
        return int(task.tags.get(PRIORITY_TAG, "0"))
    except ValueError:
        return 0


def _merge(a: Task, b: Task) -> Task:
    assets = None if a.assets is None or b.assets is None else sorted(set(a.assets) | set(b.assets))
    tags = {**a.tags, **b.tags}
    if PRIORITY_TAG in tags:
        tags[PRIORITY_TAG] = str(max(_priority(a), _priority(b)))
    return Task(a.partition, assets, tags, a.sensor or b.sensor)


@dataclass
class DaemonStats:
    ticks: int = 0
    runs: int = 0
    failed_runs: int = 0
    launch_failures: int = 0  # injected: runs that died before their first step
    relaunched: int = 0  # runs requested by failed_launches_sensor
    runs_by_sensor: dict[str, int] = field(default_factory=dict)
    follow_ups_by_reason: dict[str, int] = field(default_factory=dict)  # the run's first reason


class LocalDaemon:
    def __init__(self, instance_dir: str, overrides: dict, *, workers: int = 3, sensors: tuple[str, ...] = SENSORS,
                 launch_faults: float = 0.0, seed: int = 0, sensor_time_scale: float = 1.0):
        import definitions
        from factory.config import load_settings

        self.defs = definitions.build_definitions(load_settings())
        self.job = self.defs.resolve_job_def(JOB)
        self.instance = dg.DagsterInstance.local_temp(instance_dir, overrides=overrides)
        self.sensors = sensors
        self.cursors: dict[str, str | None] = {name: None for name in sensors}
        # As dagster-daemon: a sensor is evaluated at most every `minimum_interval_seconds` (times
        # `sensor_time_scale` in a world whose vendors run on scaled time), not at every tick.
        self.sensor_time_scale = sensor_time_scale
        self._evaluated: dict[str, float] = {}
        self.used_keys: set[tuple[str, str]] = set()
        self.stats = DaemonStats()
        self.launch_faults, self._rng = launch_faults, random.Random(seed)
        self.workers = workers
        self.running: dict[str, Future] = {}  # partition -> its run
        # partition -> its queued runs, in order of arrival (requests of equal priority merged)
        self.queued: dict[str, list[tuple[int, Task]]] = {}
        self._arrivals = 0
        context = multiprocessing.get_context("spawn")
        self.pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init,
                                        initargs=(instance_dir, overrides))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)
        self.instance.dispose()

    # -- sensors ------------------------------------------------------------------------------
    def tick(self) -> list[Task]:
        """One evaluation of every sensor: partitions added/removed, the new runs requested."""
        tasks = []
        self.stats.ticks += 1
        for name in self.sensors:
            sensor = self.defs.resolve_sensor_def(name)
            now = time.monotonic()
            interval = (sensor.minimum_interval_seconds or 0) * self.sensor_time_scale
            last = self._evaluated.get(name)
            if last is not None and now - last < interval:
                continue
            self._evaluated[name] = now
            with dg.build_sensor_context(instance=self.instance, cursor=self.cursors[name],
                                         resources={"factory": self.defs.resources["factory"]}) as ctx:
                result = sensor(ctx)
            if not isinstance(result, dg.SensorResult):
                continue
            self.cursors[name] = result.cursor if result.cursor is not None else self.cursors[name]
            for request in result.dynamic_partitions_requests or []:
                if isinstance(request, dg.AddDynamicPartitionsRequest):
                    self.instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
                else:
                    for key in request.partition_keys:
                        self.instance.delete_dynamic_partition(request.partitions_def_name, key)
            for request in result.run_requests or []:
                key = (name, request.run_key or "")
                if request.run_key and key in self.used_keys:
                    continue  # Dagster runs a run key once per sensor
                self.used_keys.add(key)
                assets = [k.to_user_string() for k in request.asset_selection] if request.asset_selection else None
                tags = {**(request.tags or {}), "dagster/sensor_name": name}
                if request.run_key:
                    tags["dagster/run_key"] = request.run_key
                tasks.append(Task(request.partition_key, assets, tags, name))
                self.stats.runs_by_sensor[name] = self.stats.runs_by_sensor.get(name, 0) + 1
                if name == "failed_launches_sensor":
                    self.stats.relaunched += 1
                if tags.get("factory/trigger") == "follow-up":
                    reason = tags.get("factory/reason", "")
                    self.stats.follow_ups_by_reason[reason] = self.stats.follow_ups_by_reason.get(reason, 0) + 1
        return tasks

    # -- runs -----------------------------------------------------------------------------------
    def submit(self, tasks: list[Task]) -> None:
        for task in tasks:
            queue = self.queued.setdefault(task.partition, [])
            same = next((i for i, (_, t) in enumerate(queue) if _priority(t) == _priority(task)), None)
            if same is None:
                self._arrivals += 1
                queue.append((self._arrivals, task))
            else:
                queue[same] = (queue[same][0], _merge(queue[same][1], task))
        self._start_queued()

    def _start_queued(self) -> None:
        # As Dagster's QueuedRunCoordinator: at most `workers` runs at once, one per site, the
        # highest `dagster/priority` first, then in order of arrival.
        while len(self.running) < self.workers:
            ready = [(p, i, arrival, task) for p, queue in self.queued.items() if p not in self.running
                     for i, (arrival, task) in enumerate(queue)]
            if not ready:
                return
            partition, index, _, task = max(ready, key=lambda r: (_priority(r[3]), -r[2]))
            del self.queued[partition][index]
            if not self.queued[partition]:
                del self.queued[partition]
            if self.launch_faults and self._rng.random() < self.launch_faults:
                self._launch_failed(task)
                continue
            self.running[partition] = self.pool.submit(_execute, task)

    def _launch_failed(self, task: Task) -> None:
        """A run Dagster created but whose process never reached a step, as the daemon records it."""
        tags = {**task.tags, "dagster/partition": task.partition}
        run = self.instance.create_run_for_job(
            job_def=self.job, tags=tags,
            asset_selection=frozenset(dg.AssetKey.from_user_string(a) for a in task.assets) if task.assets else None)
        self.instance.report_run_failed(run)
        self.stats.launch_failures += 1
        self.stats.runs += 1
        self.stats.failed_runs += 1

    def collect(self) -> dict[str, bool]:
        """The runs that finished since the last call (partition -> success)."""
        finished = {}
        for partition, future in list(self.running.items()):
            if future.done():
                del self.running[partition]
                _, ok = future.result()
                finished[partition] = ok
                self.stats.runs += 1
                self.stats.failed_runs += 0 if ok else 1
        self._start_queued()
        return finished

    def idle(self) -> bool:
        return not self.running and not self.queued

    def execute(self, tasks: list[Task]) -> dict[str, bool]:
        """Run these (merged per site) and wait for them."""
        self.submit(tasks)
        outcomes: dict[str, bool] = {}
        while not self.idle():
            outcomes.update(self.collect())
            time.sleep(0.05)
        return outcomes

    def until(self, done: Callable[[], bool], *, timeout_s: float, interval_s: float = 1.0) -> bool:
        """Tick the sensors every `interval_s` while runs go on, until `done()` or the timeout."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.submit(self.tick())
            self.collect()
            if done():
                return True
            time.sleep(interval_s)
        return done()
