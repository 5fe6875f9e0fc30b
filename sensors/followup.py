"""The sensors that finish what waits, without an operator.

`waiting_sites_sensor`: looks at the steps that wait for the outside world (a zone Cloudflare has
not activated, a certificate that needs DNS, a verification Google cannot see yet) with backoff
and within the vendors' budgets, and requests a run of the waiting steps when what they wait for
holds (factory/layers/followup.py).

`failed_launches_sensor`: an onboarding run that failed before its first step (a code server that
did not start in time, a worker that died) is requested again with a new run key, with backoff,
at most `MAX_LAUNCHES` times in all.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from factory.layers.followup import LOOK_INTERVAL_S, follow_up
from resources.factory import FactoryResource

JOB = "onboard_site_job"
# Follow-ups are short (a check, then the steps that waited) and on every waiting site's critical
# path: the run queue starts them before the onboarding runs queued behind a large import (only a
# new site's delegation, sensors/sites.py, goes first).
FOLLOW_UP_PRIORITY = "10"
MAX_LAUNCHES = 5
# Before the 2nd, 3rd, ... launch (scaled like every wait): a delegation or a verification that died
# is on its site's way live, so the first relaunch comes soon; later ones give a struggling machine room.
LAUNCH_BACKOFF_S = (15, 60, 120, 300)
ATTEMPT_TAG = "factory/launch_attempt"
PRIORITY_TAG = "dagster/priority"  # a relaunch keeps its run's place in the queue


@dg.sensor(job_name=JOB, minimum_interval_seconds=LOOK_INTERVAL_S, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Looks at waiting steps with backoff (zone activation, certificates, verification) and "
                       "runs them when what they wait for holds.")
def waiting_sites_sensor(context: dg.SensorEvaluationContext, factory: FactoryResource) -> dg.SensorResult:
    outcome = follow_up(factory.ctx)
    runs = [dg.RunRequest(partition_key=domain, asset_selection=[dg.AssetKey(s) for s in steps],
                          run_key=outcome.run_key(domain),
                          tags={"factory/domain": domain, "factory/trigger": "follow-up",
                                "factory/reason": outcome.reasons[domain][:200],
                                PRIORITY_TAG: FOLLOW_UP_PRIORITY})
            for domain, steps in outcome.runs.items()]
    if outcome.looked or outcome.failed:
        context.log.info(f"looked at {outcome.looked} waiting step(s): {len(runs)} run(s), {outcome.rechecked} "
                         f"still waiting, {outcome.activation_checks} activation check(s), "
                         f"{len(outcome.failed)} past the deadline")
    return dg.SensorResult(run_requests=runs)


def _newer_run(instance: dg.DagsterInstance, run: dg.DagsterRun, created: dt.datetime) -> bool:
    """A later run of the same site (a retry, a follow-up, an operator's) that runs at least this
    one's steps supersedes it. One that runs others does not: a new site's second onboarding
    run (everything after its delegation) is no substitute for a delegation that died."""
    later = instance.get_run_records(filters=dg.RunsFilter(
        tags={"dagster/partition": run.tags["dagster/partition"]},
        created_after=created + dt.timedelta(microseconds=1)), limit=50)
    wanted = run.asset_selection
    return any(r.dagster_run.asset_selection is None or (wanted is not None and wanted <= r.dagster_run.asset_selection)
               for r in later)


def _started_a_step(instance: dg.DagsterInstance, run_id: str) -> bool:
    return bool(instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_START, limit=1).records)


@dg.sensor(job_name=JOB, minimum_interval_seconds=15, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Requests again (new run key, backoff, capped) an onboarding run that failed before its "
                       "first step.")
def failed_launches_sensor(context: dg.SensorEvaluationContext, factory: FactoryResource) -> dg.SensorResult:
    scale = factory.settings.rate_time_scale
    now = dt.datetime.now(dt.UTC)
    window = now - dt.timedelta(hours=6)
    records = context.instance.get_run_records(filters=dg.RunsFilter(
        job_name=JOB, statuses=[dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED], updated_after=window),
        limit=500)
    requests = []
    for record in records:
        run = record.dagster_run
        # Dagster's own run retries (deploy/dagster.yaml) count as launches too.
        attempt = max(int(run.tags.get(ATTEMPT_TAG, "1")), 1 + int(run.tags.get("dagster/retry_number", "0")))
        partition = run.tags.get("dagster/partition")
        if (not partition or attempt >= MAX_LAUNCHES or _started_a_step(context.instance, run.run_id)
                or _newer_run(context.instance, run, record.create_timestamp)):
            continue
        ended = record.end_time or record.update_timestamp.timestamp()
        wait = LAUNCH_BACKOFF_S[min(attempt, len(LAUNCH_BACKOFF_S)) - 1] * scale
        if now.timestamp() < ended + wait:
            continue
        selection = list(run.asset_selection) if run.asset_selection else None
        requests.append(dg.RunRequest(
            partition_key=partition, asset_selection=selection, run_key=f"relaunch:{run.run_id}",
            tags={**{k: v for k, v in run.tags.items() if k.startswith("factory/") or k == PRIORITY_TAG},
                  ATTEMPT_TAG: str(attempt + 1),
                  "factory/relaunch_of": run.run_id}))
    if requests:
        context.log.info(f"relaunching {len(requests)} run(s) that failed before their first step")
    return dg.SensorResult(run_requests=requests)
