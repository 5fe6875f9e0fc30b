"""`new_sites_sensor`: turns new `sites` rows into `site` partitions and onboarding runs, and
removes the partitions of deleted sites.

The cursor holds the last seen `sites.seq` and `site_deletions.seq`, so a tick reads only what
changed. A short look-back re-reads the last few sequence numbers, because a transaction that
took a number earlier may commit later; the partitions already present filter them out.

Admission: every new site gets its partition at once, but its onboarding runs are requested only
as the registrar's budget can serve them: as many as Namecheap's windows have room for now (its
delegation runs ahead of everything else, so it must not wait for the budget in a run slot), and
never more than `FACTORY_ONBOARDING_ADMIT_AHEAD_S` of the budget ahead of the work: an import of
10,000 sites does not queue 10,000 runs, and the run queue stays free for follow-ups. The
cursor's `admitted` is the last site admitted, in `seq` order.

A tick that admits work also logs the fleet's onboarding ETA (factory.onboarding_eta) and tags each
run with when its site is expected live and what that waits for: Dagit's sensor log and run list.
"""


import json

import dagster as dg

from factory.onboarding_eta import SiteEta, admission_room, fleet_eta, registrar_room_now, summary
from factory.vendors import namecheap
from factory_assets.health import SITE_ASSETS
from factory_assets.partitions import site_partitions
from resources.factory import FactoryResource

LOOKBACK = 100
# The onboarding job's steps, in order: the delegation runs first and alone.
DELEGATION_STEP, *AFTER_DELEGATION_STEPS = SITE_ASSETS
AFTER_DELEGATION = "after-delegation"
# Above the follow-ups' (sensors/followup.py): a new site's delegation is never queued behind them.
DELEGATION_PRIORITY = "20"
BATCH = 1000


def _cursor(raw: str | None) -> dict[str, int]:
    try:
        data = json.loads(raw or "{}")
        seq = int(data.get("seq", 0))
        # A cursor from before admission existed admitted everything it had seen.
        return {"seq": seq, "deleted": int(data.get("deleted", 0)), "admitted": int(data.get("admitted", seq))}
    except (ValueError, TypeError, AttributeError):
        return {"seq": 0, "deleted": 0, "admitted": 0}


# The sensor's interval, and how long ahead it admits: a delegation admitted now may wait this long
# for Namecheap in its run slot. Measured at 200 sites: admitting 15 s ahead kept five of six slots
# waiting and starved the rest of the onboarding; a 15 s tick without a lead delayed each of
# Namecheap's windows (it slides), and the last delegation by about 3 minutes.
ADMIT_LEAD_S = 5


@dg.sensor(job_name="onboard_site_job", minimum_interval_seconds=ADMIT_LEAD_S, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Adds a `site` partition and requests a new site's onboarding (its delegation first); drops deleted sites.")
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
    runs = [request for s in admitted
            for request in onboarding_requests(s.domain, s.domain if s.domain not in reused else f"{s.domain}:{s.id}",
                                               _eta_tags(by_domain.get(s.domain)))]
    if new_sites or gone or admitted:
        waiting = next_cursor["seq"] - next_cursor["admitted"]
        context.log.info(f"{len(new_sites)} new site(s), {len(gone)} removed, {len(admitted)} admitted"
                         + (f", about {waiting} waiting for the registrar's budget" if waiting > 0 else "")
                         + (f"; {summary(eta)}" if eta else ""))
    return dg.SensorResult(run_requests=runs, dynamic_partitions_requests=requests, cursor=json.dumps(next_cursor))


def onboarding_requests(domain: str, run_key: str, tags: dict[str, str]) -> list[dg.RunRequest]:
    """A new site's onboarding, as two runs: its delegation first, ahead of every other run, then
    the rest of the job. Namecheap's budget is the fleet's critical path (every site then waits
    its zone's activation and propagation), so delegations go at the registrar's pace even while
    the run slots are busy with builds; the rest of a site's onboarding has that wait to run in.
    One run per site at a time (the partition limit): the rest starts after its delegation."""
    tags = {"factory/domain": domain, "factory/trigger": "new-site", **tags}
    return [dg.RunRequest(partition_key=domain, run_key=run_key, asset_selection=[dg.AssetKey(DELEGATION_STEP)],
                          tags={**tags, "factory/phase": "delegation", "dagster/priority": DELEGATION_PRIORITY}),
            dg.RunRequest(partition_key=domain, run_key=f"{run_key}:{AFTER_DELEGATION}",
                          asset_selection=[dg.AssetKey(a) for a in AFTER_DELEGATION_STEPS],
                          tags={**tags, "factory/phase": AFTER_DELEGATION})]


def _eta_tags(eta: SiteEta | None) -> dict[str, str]:
    """The run's `factory/expected-live` (UTC, to the minute) and what that waits for."""
    if eta is None:
        return {}
    return {"factory/expected-live": f"{eta.live_at:%Y-%m-%d %H:%M} UTC", "factory/eta-waits-for": eta.waits_for}


def _registrar_room_now(factory: FactoryResource, default: int) -> int:
    """What Namecheap's budget (shared by every run, counted in Postgres) has room for by the
    sensor's next tick. A new site's delegation runs ahead of everything else, so it is admitted
    only when its call can go (almost) at once: a delegation run that waited long for the budget
    would hold a run slot idle. But not a tick later: Namecheap's windows slide, so a call made
    late delays every call after it."""
    settings = factory.settings
    if not settings.namecheap_api_user:
        return default
    budget = namecheap.BUDGET.scaled(settings.rate_time_scale)
    used = factory.ctx.clients.limiter.used(budget, settings.namecheap_api_user,
                                            ahead_s=ADMIT_LEAD_S * settings.rate_time_scale)
    return registrar_room_now(used, settings.rate_time_scale)


def _admit(factory: FactoryResource, admitted_seq: int, seen_seq: int, new_sites: list) -> tuple[list, int]:
    """The sites whose onboarding starts now, oldest first, and the new admission cursor: as many
    as the registrar's budget serves ahead of the admitted sites that have not started, and any
    site committed late behind the cursor (its sequence number was taken earlier)."""
    late = [s for s in new_sites if s.seq <= admitted_seq]
    room = admission_room(factory.settings.onboarding_admit_ahead_s)
    if room is None:
        backlog = [s for s in new_sites if s.seq > admitted_seq]
    else:
        room = min(room, _registrar_room_now(factory, room)) - factory.store.sites.admitted_not_started(admitted_seq)
        backlog = factory.store.sites.after(admitted_seq, limit=room) if room > 0 else []
    # Only sites whose partition exists or is added by this tick (seq within what was read).
    backlog = [s for s in backlog if s.seq <= seen_seq]
    cursor = max([admitted_seq, *(s.seq for s in backlog)])
    return late + [s for s in backlog if s.decommissioned_at is None], cursor
