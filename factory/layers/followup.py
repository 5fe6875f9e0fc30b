"""Follow-up of waiting steps, without an operator (the `waiting_sites_sensor` runs this).

A step that waits for the outside world has recorded what it waits for and when it looks next.
Each look here is cheap and within the vendors' budgets:

- a waiting `dns_zone` is looked at through ONE zone listing per Cloudflare account (the zones
  still pending); a zone that is no longer pending gets a run, a pending one gets Cloudflare's
  activation check (at most hourly per zone) and its next look, with backoff;
- the other steps wait for something the store already knows (the zone active, a Matomo id, a
  doc root): the moment it holds, they get a run; until then nothing is called;
- a step past its deadline fails with what was seen last (for DNS: where the registrar delegates).

The result is the runs to request (per site: the waiting steps, one run) and what was recorded.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from factory.layers import dns, search_console
from factory.layers.runner import (RETRY_WAIT, WAIT_DEADLINE, LayerContext, gave_up_after_errors,
                                   next_check_at)
from factory.store import Site, SiteStep
from factory.vendors.retry import VendorError

log = logging.getLogger(__name__)

# Per-site steps that come after a step in the onboarding job (a run re-checks them too).
DOWNSTREAM = {
    "dns_zone": ["dns_zone", "hosting_site", "gsc_property"],
    "hosting_site": ["hosting_site"],
    "gsc_property": ["gsc_property"],
    "site_build": ["site_build", "site_deployment"],
    "site_deployment": ["site_deployment"],
    "site_content": ["site_content", "site_build", "site_deployment"],
    "matomo_site": ["matomo_site", "site_build", "site_deployment"],
}


# waiting_sites_sensor's interval. Each look on a site's way live (the activation check, its
# answer, Google's look once the record can have propagated) waits for the next tick: at 15 s a
# tick that was ~20 s a site. A tick with nothing due is one query.
LOOK_INTERVAL_S = 5

# A run asked for and not answered (it died before a step more often than failed_launches_sensor
# relaunches it, or was cancelled) leaves its step due; Dagster skips a run key it has seen, so
# the same wait is asked for again under a new key this long after it fell due.
REQUEST_AGAIN_S = 600.0


@dataclass
class FollowUp:
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    request_again: dt.timedelta = dt.timedelta(seconds=REQUEST_AGAIN_S)
    runs: dict[str, list[str]] = field(default_factory=dict)  # domain -> asset keys to run
    reasons: dict[str, str] = field(default_factory=dict)  # domain -> why (for the run's tags)
    keys: dict[str, list[str]] = field(default_factory=dict)  # domain -> the waits a run answers (its run key)
    looked: int = 0  # waiting steps looked at
    rechecked: int = 0  # still waiting: next look recorded
    failed: list[str] = field(default_factory=list)  # domain/step past its deadline
    activation_checks: int = 0

    def add_run(self, domain: str, step: SiteStep, steps: list[str], reason: str) -> None:
        current = self.runs.setdefault(domain, [])
        current += [s for s in steps if s not in current]
        self.reasons.setdefault(domain, reason)
        # The same wait (step, since, looks) asks for the same run: Dagster runs a run key once.
        # Past `request_again` overdue, a new key: its run never came.
        key = f"{step.step}@{step.since.timestamp():.0f}.{step.checks}"
        overdue = self.now - step.next_check_at if step.next_check_at else dt.timedelta(0)
        if overdue >= self.request_again:
            key += f".again{overdue // self.request_again}"
        self.keys.setdefault(domain, []).append(key)

    def run_key(self, domain: str) -> str:
        return f"follow-up:{domain}:{'+'.join(sorted(self.keys[domain]))}"


def _ready(site: Site, step: SiteStep) -> bool:
    """Whether what a non-DNS step waits for is there, from what the store already knows."""
    zone_active = site.cloudflare_zone_status == "active"
    if step.step == "hosting_site":
        return zone_active
    if step.step == "gsc_property":
        return zone_active and step.waiting_for != search_console.WAIT_PROPAGATION
    if step.step == "site_build":
        return site.matomo_site_id is not None
    if step.step == "site_deployment":
        return bool(site.hosting_doc_root)
    return False


def follow_up(ctx: LayerContext, now: dt.datetime | None = None, *, limit: int = 5000) -> FollowUp:
    now = now or dt.datetime.now(dt.UTC)
    store = ctx.store
    result = FollowUp(now, REQUEST_AGAIN_S * dt.timedelta(seconds=ctx.settings.rate_time_scale))
    waiting = store.steps.waiting(limit=limit)
    sites = {s.domain: s for s in store.sites.by_domains(sorted({d for d, _ in waiting}))}
    pending_dns: dict[object, list[tuple[Site, SiteStep]]] = defaultdict(list)

    for domain, step in waiting:
        site = sites.get(domain)
        if site is None:
            continue
        due = step.next_check_at is None or step.next_check_at <= now
        if step.deadline_at is not None and step.deadline_at <= now:
            _give_up(ctx, site, step, result)
        elif step.waiting_for == RETRY_WAIT:
            if due:  # only an attempt tells whether the vendor answers again
                result.looked += 1
                result.add_run(domain, step, DOWNSTREAM.get(step.step, [step.step]),
                               f"{step.step}: {RETRY_WAIT}")
        elif step.step == "dns_zone":
            if due:
                pending_dns[site.cloudflare_account_id].append((site, step))
        elif _ready(site, step):
            result.looked += 1
            result.add_run(domain, step, DOWNSTREAM.get(step.step, [step.step]), f"{step.step}: ready")
        elif due and step.step == "gsc_property" and step.waiting_for == search_console.WAIT_PROPAGATION:
            result.looked += 1  # only an attempt tells whether Google sees the record now
            result.add_run(domain, step, ["gsc_property"], "gsc_property: look again")
        elif due:
            result.looked += 1
            _look_again(ctx, site, step, "still waiting", result)

    for account_id, items in pending_dns.items():
        _follow_zones(ctx, account_id, items, result)
    return result


def _look_again(ctx: LayerContext, site: Site, step: SiteStep, seen: str, result: FollowUp,
                sooner: dt.timedelta | None = None) -> None:
    """Record this look; the next one by the backoff, or `sooner` when something is due then."""
    look = next_check_at(step.checks + 1, ctx.settings.rate_time_scale)
    if sooner is not None:
        look = min(look, dt.datetime.now(dt.UTC) + sooner)
    ctx.store.steps.wait(site.id, step.step, step.waiting_for or "the outside world", look,
                         deadline=WAIT_DEADLINE * ctx.settings.rate_time_scale, seen=seen)
    result.rechecked += 1


def _follow_zones(ctx: LayerContext, account_id, items: list[tuple[Site, SiteStep]], result: FollowUp) -> None:
    """One listing of the account's pending zones answers for all of its waiting sites."""
    cf = ctx.clients.cloudflare(account_id)
    try:
        pending = {z.name: z for z in cf.zones(status="pending")}
    except VendorError as exc:
        log.warning("cannot list pending zones of account %s: %s", account_id, exc)
        return  # the next tick looks again; nothing recorded
    for site, step in items:
        result.looked += 1
        zone = pending.get(site.domain)
        if zone is None:
            result.add_run(site.domain, step, DOWNSTREAM["dns_zone"], "dns_zone: the zone is no longer pending")
            continue
        # The hourly check is spent once the registry can have published the delegation; its
        # answer is looked at shortly after, and until then the next look is when it can be spent.
        if dns.request_activation_check(ctx, cf, zone.id, step.waiting_since):
            result.activation_checks += 1
        sooner = dns.until_checkable(ctx, step.waiting_since) or dns.check_answering(ctx, zone.id)
        _look_again(ctx, site, step, f"zone pending; expected delegation to {', '.join(zone.name_servers)}",
                    result, sooner)


def _give_up(ctx: LayerContext, site: Site, step: SiteStep, result: FollowUp) -> None:
    scale = ctx.settings.rate_time_scale
    if step.waiting_for == RETRY_WAIT:
        message = gave_up_after_errors(step.last_error, scale)
    else:
        seen = _delegation_seen(ctx, site) if step.step == "dns_zone" else ""
        message = (f"gave up after {WAIT_DEADLINE.total_seconds() * scale / 3600:g} h waiting for "
                   f"{step.waiting_for}" + (f": {seen}" if seen else ""))
    ctx.store.steps.fail(site.id, step.step, message)
    result.failed.append(f"{site.domain}/{step.step}")


def _delegation_seen(ctx: LayerContext, site: Site) -> str:
    expected = ", ".join(site.cloudflare_name_servers or []) or "the zone's pair"
    try:
        registrar = ctx.clients.namecheap().get_nameservers(site.domain)
    except VendorError as exc:
        return f"the registrar could not be read ({exc}); expected {expected}"
    return f"the registrar delegates to {', '.join(registrar.nameservers) or 'its own DNS'}; expected {expected}"

