"""`new_sites_sensor`: turns new `sites` rows into `site` partitions and onboarding runs, and
removes the partitions of deleted sites.

The cursor holds the last seen `sites.seq` and `site_deletions.seq`, so a tick reads only what
changed. A short look-back re-reads the last few sequence numbers, because a transaction that
took a number earlier may commit later; the partitions already present filter them out.
"""


import json

import dagster as dg

from factory_assets.partitions import site_partitions
from resources.factory import FactoryResource

LOOKBACK = 100
BATCH = 1000


def _cursor(raw: str | None) -> dict[str, int]:
    try:
        data = json.loads(raw or "{}")
        return {"seq": int(data.get("seq", 0)), "deleted": int(data.get("deleted", 0))}
    except (ValueError, TypeError, AttributeError):
        return {"seq": 0, "deleted": 0}


@dg.sensor(job_name="onboard_site_job", minimum_interval_seconds=15, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Adds a `site` partition and requests one onboarding run per new site; drops deleted sites.")
def new_sites_sensor(context: dg.SensorEvaluationContext, factory: FactoryResource) -> dg.SensorResult:
    sites = factory.store.sites
    cursor = _cursor(context.cursor)
    fresh = sites.after(max(cursor["seq"] - LOOKBACK, 0), limit=BATCH + LOOKBACK)
    deletions = sites.deletions_after(cursor["deleted"], limit=BATCH)
    known = set(context.instance.get_dynamic_partitions(site_partitions.name))

    deleted = {domain for _, domain in deletions}
    still_there = sites.existing_domains(sorted(deleted)) if deleted else set()  # deleted, then added again
    gone = sorted({d for d in deleted if d in known and d not in still_there}
                  | (sites.decommissioned_domains() & known))  # decommissioned: kept as rows, not partitions
    new_sites = [s for s in fresh if s.decommissioned_at is None and (s.domain not in known or s.domain in gone)]

    requests: list = []
    if gone:
        requests.append(site_partitions.build_delete_request(gone))
    if new_sites:
        requests.append(site_partitions.build_add_request([s.domain for s in new_sites]))
    runs = [
        # A domain deleted and added again is a new onboarding, so its run key must differ.
        dg.RunRequest(partition_key=s.domain, run_key=s.domain if s.domain not in deleted else f"{s.domain}:{s.id}",
                      tags={"factory/domain": s.domain})
        for s in new_sites
    ]
    next_cursor = {
        "seq": max([cursor["seq"], *(s.seq for s in fresh)]),
        "deleted": max([cursor["deleted"], *(seq for seq, _ in deletions)]),
    }
    if new_sites or gone:
        context.log.info(f"{len(new_sites)} new site(s), {len(gone)} removed")
    return dg.SensorResult(run_requests=runs, dynamic_partitions_requests=requests, cursor=json.dumps(next_cursor))
