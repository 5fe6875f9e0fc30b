"""Execute many partitioned runs at once in local worker processes, the way a run queue would.

Dagster's in-process execution is not thread-safe (it swaps log capture per run), so parallel
runs need processes. Each worker builds the code location and opens the instance once, then
executes the partitions it is handed. Used by the end-to-end tests and the benchmarks.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_worker: dict[str, Any] = {}


def _init(instance_dir: str, overrides: dict, job_name: str, asset_keys: list[str] | None) -> None:
    import dagster as dg

    import definitions
    from factory.config import load_settings

    defs = definitions.build_definitions(load_settings())
    _worker["job"] = defs.resolve_job_def(job_name)
    _worker["instance"] = dg.DagsterInstance.local_temp(instance_dir, overrides=overrides)
    _worker["selection"] = [dg.AssetKey(k) for k in asset_keys] if asset_keys else None


def _run(partition_key: str) -> bool:
    result = _worker["job"].execute_in_process(
        partition_key=partition_key, instance=_worker["instance"], raise_on_error=False,
        asset_selection=_worker["selection"],
    )
    return result.success


def run_partitions(partition_keys: list[str], *, instance_dir: str, overrides: dict, job_name: str,
                   asset_keys: list[str] | None = None, workers: int = 4) -> dict[str, bool]:
    """Run `job_name` once per partition key; returns success per key. The environment of this
    process (database, vendor endpoints) is what the workers see."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init,
                             initargs=(instance_dir, overrides, job_name, asset_keys)) as pool:
        return dict(zip(partition_keys, pool.map(_run, partition_keys)))


def run_one(instance_dir: str, overrides: dict, job_name: str, asset_keys: list[str] | None,
            partition_key: str) -> bool:
    """Execute one run in this process (the target of a separately started process)."""
    _init(instance_dir, overrides, job_name, asset_keys)
    return _run(partition_key)
