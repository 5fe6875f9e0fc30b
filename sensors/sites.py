"""`new_sites_sensor`: turns new `sites` rows into `site` partitions and onboarding runs, and
removes the partitions of deleted sites.

The cursor holds the last seen `sites.seq` and `site_deletions.seq`, so a tick reads only what
changed. A short look-back re-reads the last few sequence numbers, because a transaction that
took a number earlier may commit later; the partitions already present filter them out.

Admission: every new site gets its partition at once, but its onboarding run is requested only
as the registrar's budget can serve it (`FACTORY_ONBOARDING_ADMIT_AHEAD_S` of Namecheap's budget
admitted ahead of the work): an import of 10,000 sites does not queue 10,000 runs, and the run
queue stays free for follow-ups. The cursor's `admitted` is the last site admitted, in `seq` order.

A tick that admits work also logs the fleet's onboarding ETA (factory.onboarding_eta) and tags each
run with when its site is expected live and what that waits for: Dagit's sensor log and run list.
"""


import json

import dagster as dg

from factory.onboarding_eta import SiteEta, admission_room, fleet_eta, summary
from factory_assets.partitions import site_partitions
from resources.factory import FactoryResource

LOOKBACK = 100
BATCH = 1000


def _cursor(raw: str | None) -> dict[str, int]:
    try:
        data = json.loads(raw or "{}")
        seq = int(data.get("seq", 0))
        # A cursor from before admission existed admitted everything it had seen.
        return {"seq": seq, "deleted": int(data.get("deleted", 0)), "admitted": int(data.get("admitted", seq))}
    except (ValueError, TypeError, AttributeError):
        return {"seq": 0, "deleted": 0, "admitted": 0}


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
    next_cursor = {
        "seq": max([cursor["seq"], *(s.seq for s in fresh)]),
        "deleted": max([cursor["deleted"], *(seq for seq, _ in deletions)]),
    }
    admitted, next_cursor["admitted"] = _admit(factory, cursor["admitted"], next_cursor["seq"], new_sites)
    # A domain deleted and added again is a new onboarding, so its run key must differ.
    reused = sites.ever_deleted([s.domain for s in admitted]) | deleted if admitted else set()
    # The onboarding ETA, only on a tick that admits work (what Dagit shows of it: the log line and
    # each run's tags); it reads the queued sites once.
    eta = fleet_eta(factory.store, time_scale=factory.settings.rate_time_scale) if new_sites or admitted else None
    by_domain = {e.domain: e for e in eta.sites} if eta else {}
    runs = [dg.RunRequest(partition_key=s.domain, run_key=s.domain if s.domain not in reused else f"{s.domain}:{s.id}",
                          tags={"factory/domain": s.domain, "factory/trigger": "new-site",
                                **_eta_tags(by_domain.get(s.domain))})
            for s in admitted]
    if new_sites or gone or admitted:
        waiting = next_cursor["seq"] - next_cursor["admitted"]
        context.log.info(f"{len(new_sites)} new site(s), {len(gone)} removed, {len(admitted)} admitted"
                         + (f", about {waiting} waiting for the registrar's budget" if waiting > 0 else "")
                         + (f"; {summary(eta)}" if eta else ""))
    return dg.SensorResult(run_requests=runs, dynamic_partitions_requests=requests, cursor=json.dumps(next_cursor))


def _eta_tags(eta: SiteEta | None) -> dict[str, str]:
    """The run's `factory/expected-live` (UTC, to the minute) and what that waits for."""
    if eta is None:
        return {}
    return {"factory/expected-live": f"{eta.live_at:%Y-%m-%d %H:%M} UTC", "factory/eta-waits-for": eta.waits_for}


def _admit(factory: FactoryResource, admitted_seq: int, seen_seq: int, new_sites: list) -> tuple[list, int]:
    """The sites whose onboarding starts now, oldest first, and the new admission cursor: as many
    as the registrar's budget serves ahead of the admitted sites that have not started, and any
    site committed late behind the cursor (its sequence number was taken earlier)."""
    late = [s for s in new_sites if s.seq <= admitted_seq]
    room = admission_room(factory.settings.onboarding_admit_ahead_s)
    if room is None:
        backlog = [s for s in new_sites if s.seq > admitted_seq]
    else:
        room -= factory.store.sites.admitted_not_started(admitted_seq)
        backlog = factory.store.sites.after(admitted_seq, limit=room) if room > 0 else []
    # Only sites whose partition exists or is added by this tick (seq within what was read).
    backlog = [s for s in backlog if s.seq <= seen_seq]
    cursor = max([admitted_seq, *(s.seq for s in backlog)])
    return late + [s for s in backlog if s.decommissioned_at is None], cursor
