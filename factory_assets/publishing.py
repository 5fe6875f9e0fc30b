"""Shared by the content, build and deploy assets: batching and per-site failure bookkeeping."""

from __future__ import annotations

import os

import dagster as dg

from factory.domains import InvalidDomain, normalize_domain

# A backfill over many sites runs them in batches this large: one Astro start-up per batch.
BATCH_SIZE = int(os.environ.get("FACTORY_BUILD_BATCH_SIZE", "250"))
site_batches = dg.BackfillPolicy.multi_run(max_partitions_per_run=BATCH_SIZE)


def fail_if_any(step: str, failures: dict[str, str], total: int) -> None:
    """Raise after a batch if any site failed (each failure is already on its own sites row)."""
    if not failures:
        return
    if total == 1:
        raise dg.Failure(description=next(iter(failures.values())))
    listed = "; ".join(f"{d}: {m}" for d, m in list(failures.items())[:10])
    raise dg.Failure(description=f"{step} failed for {len(failures)} of {total} sites: {listed}",
                     metadata={"failed_sites": sorted(failures)})


def checked_domains(keys: list[str]) -> list[str]:
    """Partition keys are domains that reach paths, URLs and remote shells: only canonical ones pass."""
    for key in keys:
        try:
            ok = normalize_domain(key) == key
        except InvalidDomain:
            ok = False
        if not ok:
            raise dg.Failure(description=f"{key!r} is not a canonical site domain; refusing to process it")
    return list(keys)
