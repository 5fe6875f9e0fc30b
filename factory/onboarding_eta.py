"""When each queued site is expected to be live, from the vendors' request budgets.

Onboarding a site spends requests on budgets the whole fleet shares: Namecheap's key (20 a
minute, 700 an hour, 8,000 a day), the site's Cloudflare token (1,200 per 5 minutes), Let's
Encrypt's account (300 new orders per 3 hours); in between it waits for Cloudflare to activate
the zone once the registrar delegates it. Sites are served in queue order (oldest first, as the
sensor admits them); each request goes at the earliest moment every sliding window of its budget
allows (as factory.vendors.budget enforces them): the k-th request on a budget starts no earlier
than the (k - limit)-th plus the window, for each window. So 10,000 new sites at one Namecheap
call each take 1.25 days of Namecheap's daily budget, whatever else is fast, and the operator
sees that before starting.

The machine is a limit too: its run slots, builds and deployments onboard so many sites an hour.
Once sites have gone live in the last hour, their pace (sites a second, from `sites.live_since`)
is measured and the k-th queued site is not expected before k of those intervals from now;
where that, not a vendor, decides, the site "waits for" the machine.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from factory.layers.dns import WAIT_DELEGATION
from factory.layers.followup import LOOK_INTERVAL_S
from factory.vendors import cloudflare, namecheap
from factory.vendors.budget import Budget, budget

# Let's Encrypt: new orders per account (the per-registered-domain limits never bind: one domain, one site).
LETS_ENCRYPT = budget("letsencrypt", (300, 3 * 3600.0))

# Requests one site's onboarding spends per budget (the dns layer's observe and apply, the
# activation check; hosting's certificate order).
CLOUDFLARE_CALLS = 8  # zone lookup and creation, records list and writes, SSL mode, activation check
# Namecheap: set the name servers. A new zone's pair is assigned when it is created, so the registrar
# cannot delegate to it yet and the dns layer sets it without reading first (it reads the registrar
# only for a zone that exists and is still pending: a re-run, a step after an error).
NAMECHEAP_CALLS = 1
# After delegation: the product spends Cloudflare's activation check once the registry can have
# published the delegation (FACTORY_ACTIVATION_CHECK_AFTER_S, 5 minutes), at the follow-up sensor's
# next tick (CHECK_S); the zone is active from then (Cloudflare's own periodic check, minutes to
# an hour, decides only when ours misses). Measured at 200 sites: a zone active 6 minutes after its
# delegation.
LOOK_S = 60.0  # a look after the moment something can have changed, and the run it starts
CHECK_S = float(LOOK_INTERVAL_S)  # the follow-up sensor's interval
ACTIVATION_S = 300.0 + CHECK_S
# From the active zone to live: Google sees the verification record a propagation after the zone's
# activation (FACTORY_TXT_PROPAGATION_S, 5 minutes), then a run verifies it; hosting's
# certificate, content, build and deployment run meanwhile (a new site's onboarding runs while its
# delegation waits).
AFTER_ACTIVATION_S = 300.0 + LOOK_S


@dataclass(frozen=True)
class QueuedSite:
    domain: str
    cloudflare_account: str  # whose token's budget the site spends
    dns_done: bool = False  # the zone is delegated and active: no more registrar or zone requests
    # When the registrar was changed (the zone waits for Cloudflare to see it): no more registrar
    # requests; the activation is counted from then, not from now.
    delegated_at: dt.datetime | None = None
    active_at: dt.datetime | None = None  # with dns_done: since when the zone is active, if known


@dataclass(frozen=True)
class SiteEta:
    domain: str
    live_at: dt.datetime
    waits_for: str  # the last budget the site waited for, which decided when it is live ("none": no wait)


@dataclass(frozen=True)
class FleetEta:
    sites: list[SiteEta]
    all_live_at: dt.datetime | None
    bottleneck: str | None  # the budget that decides when the last site is live (None: no site queued)

    def per_day(self) -> dict[dt.date, int]:
        counts: dict[dt.date, int] = {}
        for s in self.sites:
            counts[s.live_at.date()] = counts.get(s.live_at.date(), 0) + 1
        return counts


@dataclass
class _Schedule:
    """The start times of the requests planned on one budget."""

    budget: Budget
    times: list[float] = field(default_factory=list)

    def next(self, earliest: float) -> float:
        t = earliest
        k = len(self.times)
        for w in self.budget.windows:
            if k >= w.limit:
                t = max(t, self.times[k - w.limit] + w.window_s + w.margin_s)
        self.times.append(t)
        return t


def estimate(queue: Sequence[QueuedSite], now: dt.datetime, *, time_scale: float = 1.0,
             activation_s: float = ACTIVATION_S, after_activation_s: float = AFTER_ACTIVATION_S,
             pace: float | None = None) -> FleetEta:
    """When each site in `queue` (in order) is expected to be live, starting `now`.

    `time_scale` stretches windows and delays alike (the simulators' scaled time in tests); `pace`
    (sites a second, real time) is the machine's measured pace, None when unknown."""
    nc = _Schedule(namecheap.BUDGET.scaled(time_scale))
    # The registrar calls already made count in Namecheap's windows: the queue's delegations (one
    # call each; calls for sites no longer queued, and faulted ones, are not known here).
    longest = max(w.window_s for w in nc.budget.windows)
    nc.times = sorted(t for site in queue if site.delegated_at and not site.dns_done
                      and -longest < (t := (site.delegated_at - now).total_seconds()) <= 0)
    le = _Schedule(LETS_ENCRYPT.scaled(time_scale))
    per_token: dict[str, _Schedule] = {}
    activation, after = activation_s * time_scale, after_activation_s * time_scale
    etas: list[SiteEta] = []
    for site in queue:
        t, waited = 0.0, "none"
        if site.dns_done:
            # Active since a while: what follows the activation has been under way since then.
            active = min(0.0, (site.active_at - now).total_seconds()) if site.active_at else 0.0
        elif site.delegated_at:
            active = max(0.0, (site.delegated_at - now).total_seconds() + activation)
        else:
            cf = per_token.setdefault(site.cloudflare_account, _Schedule(cloudflare.BUDGET.scaled(time_scale)))
            for schedule, name, calls in ((cf, "cloudflare", CLOUDFLARE_CALLS), (nc, "namecheap", NAMECHEAP_CALLS)):
                for _ in range(calls):
                    start = schedule.next(t)
                    waited = name if start > t else waited
                    t = start
            active = t + activation
        start = le.next(max(active, 0.0))
        if start > max(active, 0.0):
            waited, active = "letsencrypt", start
        t = max(0.0, active + after)  # an overdue site: any moment now
        if pace:
            machine = (len(etas) + 1) / pace
            waited = "machine" if machine > t else waited
            t = max(t, machine)
        etas.append(SiteEta(site.domain, now + dt.timedelta(seconds=t), waited))
    last = max(etas, key=lambda e: e.live_at) if etas else None
    return FleetEta(etas, last.live_at if last else None, last.waits_for if last else None)


def admission_room(ahead_s: float) -> int | None:
    """How many onboardings the registrar's budget serves in the next `ahead_s` seconds, from an
    empty budget (every window of Namecheap's, one call a site): what the new-sites sensor keeps
    admitted ahead of the work. None: no limit (`ahead_s` 0)."""
    if ahead_s <= 0:
        return None
    requests = min(w.limit * max(1, math.floor(ahead_s / w.window_s)) for w in namecheap.BUDGET.windows)
    return max(1, requests // NAMECHEAP_CALLS)


def registrar_room_now(used: dict[float, int], time_scale: float = 1.0) -> int:
    """How many onboardings Namecheap's budget serves at once right now, given the requests
    counted in each of its windows (`SharedRateLimiter.used`, window seconds -> count)."""
    windows = namecheap.BUDGET.scaled(time_scale).windows
    return max(0, min(w.limit - used.get(w.window_s, 0) for w in windows)) // NAMECHEAP_CALLS


PACE_WINDOW_S = 3600.0  # the machine's pace: sites gone live in the last hour (real time)
# Fewer than this is no pace to extrapolate from: sites go live in bursts (an activation check's
# answer lands for many zones at once), and a pace of a handful, measured to a moment after a
# lull, halved the machine's pace early in a real-time import (the ETA 54 % late; with 20: 9 %).
PACE_MIN_SITES = 20


def machine_pace(live_times: Sequence[dt.datetime], now: dt.datetime) -> float | None:
    """Sites a second the machine onboards, from when sites went live in the last hour: after the
    first of them, one more every (now - first) / (n - 1) (to now, not to the last: a pace that
    stopped is not the pace). None: too few to tell."""
    recent = sorted(t for t in live_times if (now - t).total_seconds() <= PACE_WINDOW_S)
    span = (now - recent[0]).total_seconds() if recent else 0.0
    if len(recent) < PACE_MIN_SITES or span <= 0:
        return None
    return (len(recent) - 1) / span


def fleet_eta(store, now: dt.datetime | None = None, *, time_scale: float | None = None) -> FleetEta:
    """The ETA of every site the store still has to onboard, from now (`time_scale`: the
    settings' FACTORY_RATE_TIME_SCALE unless given)."""
    if time_scale is None:
        from factory.config import load_settings

        time_scale = load_settings().rate_time_scale
    now = now or dt.datetime.now(dt.UTC)
    queue = [_queued(*row) for row in store.sites.onboarding_queue()]
    pace = machine_pace(store.sites.live_since(now - dt.timedelta(seconds=PACE_WINDOW_S)), now)
    return estimate(queue, now, time_scale=time_scale, pace=pace, **_waits())


def _queued(domain: str, account, active: bool, waiting_for: str | None, waiting_since: dt.datetime | None,
            since: dt.datetime | None) -> QueuedSite:
    """A queued site as its DNS step stands: delegated (waiting for Cloudflare to see it), active
    (since the step succeeded), or neither yet."""
    delegated = waiting_since if not active and waiting_for == WAIT_DELEGATION else None
    return QueuedSite(domain, str(account), dns_done=active, delegated_at=delegated, active_at=since if active else None)


def _waits() -> dict[str, float]:
    """The vendors' waits as this deployment's settings time them."""
    from factory.config import load_settings

    settings = load_settings()
    return {"activation_s": settings.activation_check_after_s + CHECK_S,
            "after_activation_s": settings.txt_propagation_s + LOOK_S}


WAITS_FOR = {  # what a site's ETA waited for, in the operator's words (CLI, Dagit)
    "namecheap": "the registrar's request budget (Namecheap)",
    "cloudflare": "the Cloudflare token's request budget",
    "letsencrypt": "Let's Encrypt's order limit",
    "machine": "this machine's onboarding pace (sites live in the last hour)",
    "none": "the vendors' delays only (the zone's activation, the certificate)",
}


def summary(eta: FleetEta) -> str:
    """One line for logs: how many sites are queued, when the last is live and what decides it."""
    if not eta.sites or eta.all_live_at is None:
        return "no site queued"
    return (f"{len(eta.sites)} queued site(s) expected live by {eta.all_live_at:%Y-%m-%d %H:%M} UTC,"
            f" held back by {WAITS_FOR.get(eta.bottleneck or 'none', eta.bottleneck)}")
