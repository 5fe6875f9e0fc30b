"""What every per-site asset shares: the partition's site, its layer run through the step state
machine, and the MaterializeResult (the plan applied as Markdown, what happened, checks)."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from factory.domains import InvalidDomain, normalize_domain
from factory.layers.runner import BatchResult, StepFailed, StepOutcome
from factory.store import NotFound, Site
from resources.factory import FactoryResource

# Transient vendor trouble that outlasted the clients' own retries gets a few more tries.
STEP_RETRY_POLICY = dg.RetryPolicy(max_retries=2, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)


def checked_domains(keys: Sequence[str]) -> list[str]:
    """Partition keys are domains that reach paths, URLs and remote shells: only canonical ones pass."""
    for key in keys:
        try:
            ok = normalize_domain(key) == key
        except InvalidDomain:
            ok = False
        if not ok:
            raise dg.Failure(description=f"{key!r} is not a canonical site domain; refusing to process it")
    return list(keys)


def partition_site(factory: FactoryResource, key: str) -> Site:
    checked_domains([key])
    try:
        return factory.store.sites.get(key)
    except NotFound:
        raise dg.Failure(description=f"{key} is not in the sites table (deleted?); nothing to do") from None


def sites_for(factory: FactoryResource, keys: Sequence[str]) -> list[Site]:
    domains = checked_domains(keys)
    sites = factory.store.sites.by_domains(domains)
    missing = sorted(set(domains) - {s.domain for s in sites})
    if missing:
        raise dg.Failure(description=f"not in the sites table (deleted?): {', '.join(missing[:10])}")
    return sites


SCORE_PREFIX = "lighthouse_"  # a build's gate scores (0-100 per category): a minimum over a batch, not a sum
QUALITY_STOPPED_SHOWN = 20


def quality_summary(outcomes: Sequence[StepOutcome]) -> dict:
    """A batch's quality gate in Dagit: the lowest score per category and the builds it stopped."""
    gated = [o for o in outcomes if "quality_passed" in o.applied.facts]
    if not gated:
        return {}
    lowest: dict[str, int] = {}
    for o in gated:
        for key, value in o.applied.facts.items():
            if key.startswith(SCORE_PREFIX):
                lowest[f"{key}_min"] = min(value, lowest.get(f"{key}_min", 100))
    stopped = {o.domain: o.applied.facts.get("quality_failed_audits", "")
               for o in gated if not o.applied.facts["quality_passed"]}
    # The first few (each stopped site's own partition names its audits): this summary is on
    # every partition of the batch.
    shown = dict(sorted(stopped.items())[:QUALITY_STOPPED_SHOWN])
    return {"quality_checked": len(gated), "quality_failed": len(stopped), **lowest,
            "quality_stopped": dg.MetadataValue.json(shown)}


def as_failure(exc: StepFailed) -> dg.Failure:
    # A retryable vendor error lets the retry policy try again; anything else is final for this run.
    return dg.Failure(description=str(exc), allow_retries=exc.retryable)


def site_metadata(outcome: StepOutcome) -> dict:
    """One site's materialization metadata: the plan applied (Markdown) and what happened."""
    metadata = outcome.metadata()
    metadata["plan"] = dg.MetadataValue.md(metadata["plan"])
    return metadata


def result(outcome: StepOutcome, checks: Sequence[dg.AssetCheckResult] = ()) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata=site_metadata(outcome), check_results=list(checks))


def add_partition_metadata(context: dg.AssetExecutionContext, per_partition: dict[str, dict]) -> None:
    """Each partition of a range run gets its own metadata on its own materialization.

    Dagster's `add_asset_metadata(partition_key=...)` looks the key up among the run's partitions
    with a storage query of the whole `site` set on every call: a batch of 1,000 sites made 1,000
    queries of the fleet. These keys are the run's own partition keys, so the metadata goes
    straight to the step's accumulator (what that call does after its check); the public call
    stays as the way should that internal ever move."""
    step = getattr(context.op_execution_context, "_step_execution_context", None)
    accumulator = getattr(step, "_metadata_accumulator", None)
    if accumulator is None or not hasattr(accumulator, "with_additional_asset_metadata"):
        for key, metadata in per_partition.items():
            context.add_asset_metadata(metadata, partition_key=key)
        return
    asset_key = context.assets_def.key
    for key, metadata in per_partition.items():
        accumulator = accumulator.with_additional_asset_metadata(asset_key=asset_key, partition_key=key,
                                                                 metadata=metadata)
    step._metadata_accumulator = accumulator  # noqa: SLF001 - see above


def batch_result(context: dg.AssetExecutionContext, step: str, batch: BatchResult,
                 total: int) -> dg.MaterializeResult:
    """One site: its own metadata. Many: each site's own metadata on its partition's
    materialization, and the batch's counts on every one (a per-site table of the whole batch on
    each of its partitions grew as the square of the batch: at 1,000 sites, most of a build's
    time went to serializing it). Raises if any site failed (each failure is already on its own
    site's row)."""
    if batch.failures:
        if total == 1:
            raise as_failure(next(iter(batch.failures.values())))
        listed = "; ".join(f"{d}: {e.message}" for d, e in list(batch.failures.items())[:10])
        # A retry re-runs the batch (converged sites do nothing): worth it only if every failure may pass.
        raise dg.Failure(description=f"{step} failed for {len(batch.failures)} of {total} sites: {listed}",
                         metadata={"failed_sites": sorted(batch.failures)},
                         allow_retries=all(e.retryable for e in batch.failures.values()))
    outcomes = list(batch.outcomes.values())
    if total == 1:
        return result(outcomes[0])
    totals: dict[str, int] = {}
    for outcome in outcomes:
        for key, value in outcome.applied.facts.items():
            if isinstance(value, int) and not isinstance(value, bool) and not key.startswith(SCORE_PREFIX):
                totals[f"total_{key}"] = totals.get(f"total_{key}", 0) + value
    add_partition_metadata(context, {o.domain: site_metadata(o) for o in outcomes})
    return dg.MaterializeResult(metadata={
        "sites": total,
        **quality_summary(outcomes),
        "waiting": sum(1 for o in outcomes if o.waiting),
        "changed": sum(1 for o in outcomes if any(c.kind in ("create", "update", "delete") for c in o.changes)),
        **totals,
    })
