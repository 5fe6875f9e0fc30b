"""DNS: the site's zone in its own Cloudflare account, apex and www records pointing at the
hosting server, the SSL mode, and the registrar (Namecheap) delegating to the zone's name
servers. `status_dns` is `active` only when Cloudflare says the zone is active."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from factory.config import Settings
from factory.layers.change import Change
from factory.layers.runner import Applied, LayerContext
from factory.store import Site
from factory.vendors.budget import budget
from factory.vendors.cloudflare import (
    RECORD_EXISTS,
    ZONE_EXISTS,
    CloudflareClient,
    Record,
    Zone,
)
from factory.vendors.namecheap import NameserverState
from factory.vendors.retry import VendorError

LAYER, STEP = "dns", "dns_zone"
SSL_MODE = "full"  # CloudPanel serves a self-signed certificate until Let's Encrypt's is installed
WAIT_DELEGATION = "Cloudflare to see the delegation"
# Cloudflare re-runs a Free zone's activation check at most once an hour on request.
ACTIVATION_CHECKS = budget("cloudflare-activation-check", (1, 3600.0, 5.0))
# A requested check answers within seconds to a minute: until CHECK_ANSWER_S after it, the zone is
# looked at every CHECK_LOOK_S (one listing of an account's pending zones answers for all of its
# sites), then by the backoff. A minute's wait for every site was a minute on every site's way live.
CHECK_ANSWER_S = 60
CHECK_LOOK_S = 15
NAMESERVERS_CHECK = "nameservers"  # the health check that found the registrar delegating elsewhere
REGISTRAR_TARGET = "registrar name servers"


@dataclass(frozen=True)
class DesiredRecord:
    type: str
    name: str
    content: str
    proxied: bool | None = True

    @property
    def key(self) -> str:
        return f"{self.type} {self.name}"


@dataclass(frozen=True)
class DnsDesired:
    domain: str
    records: tuple[DesiredRecord, ...]
    ssl_mode: str = SSL_MODE


@dataclass(frozen=True)
class DnsObserved:
    zone: Zone | None
    records: dict[str, list[Record]] = field(default_factory=dict)  # by DesiredRecord.key
    ssl_mode: str | None = None
    registrar: NameserverState | None = None  # None: not looked at (the zone is active)


def desired_records(domain: str, server_ip: str) -> tuple[DesiredRecord, ...]:
    return (DesiredRecord("A", domain, server_ip), DesiredRecord("A", f"www.{domain}", server_ip))


def desired(site: Site, settings: Settings) -> DnsDesired:
    return DnsDesired(site.domain, desired_records(site.domain, settings.public_ip))


def observe(ctx: LayerContext, site: Site, want: DnsDesired, *, registrar: bool | None = None) -> DnsObserved:
    """Read the zone, its records and SSL mode; the registrar only while the zone is not active,
    when a health sweep found the registrar's name servers moved (an open `nameservers`
    problem), or when asked (`registrar=True`), since Namecheap's budget is small."""
    cf = ctx.clients.cloudflare(site.cloudflare_account_id)
    zone = cf.find_zone(want.domain)
    if zone is None:
        return DnsObserved(None)
    records = {r.key: cf.list_records(zone.id, r.type, r.name) for r in want.records}
    ssl = cf.get_setting(zone.id, "ssl")
    look = registrar if registrar is not None else (
        zone.status != "active" or site.id in ctx.store.health.open_sites(NAMESERVERS_CHECK, [site.id]))
    ns = ctx.clients.namecheap().get_nameservers(want.domain) if look else None
    return DnsObserved(zone, records, ssl, ns)


def observe_many(ctx: LayerContext, sites: list[Site], *, registrar: bool | None = None) -> dict[str, DnsObserved]:
    """The same as `observe`, batched for a fleet: one zone listing per account (50 zones per
    request), one record listing and one SSL read per zone; the registrar as in `observe`."""
    by_account: dict = {}
    for site in sites:
        by_account.setdefault(site.cloudflare_account_id, []).append(site)
    clients = {account_id: ctx.clients.cloudflare(account_id) for account_id in by_account}
    moved = ctx.store.health.open_sites(NAMESERVERS_CHECK, [s.id for s in sites]) if registrar is None else set()

    def zones_of(account_id) -> dict[str, Zone]:
        return {z.name: z for z in clients[account_id].zones()}

    def registrar_look(site: Site, zones: dict[str, Zone]) -> bool:
        zone = zones.get(site.domain)
        if zone is None:
            return False
        return registrar if registrar is not None else (zone.status != "active" or site.id in moved)

    def one(site: Site, zones: dict[str, Zone], ns: Future | None) -> DnsObserved:
        zone = zones.get(site.domain)
        if zone is None:
            return DnsObserved(None)
        cf = clients[site.cloudflare_account_id]
        want = desired(site, ctx.settings)
        records = cf.records(zone.id)
        by_key = {r.key: [x for x in records if x.type == r.type and x.name == r.name] for r in want.records}
        return DnsObserved(zone, by_key, cf.get_setting(zone.id, "ssl"), ns.result() if ns is not None else None)

    # Side by side, as many as each vendor's pool allows (each token's budget still holds): the
    # registrar's reads run beside Cloudflare's, not between them.
    workers = ctx.settings.plan_concurrency
    with ThreadPoolExecutor(max_workers=workers) as pool, ThreadPoolExecutor(max_workers=workers) as at_registrar:
        zones = dict(zip(by_account, pool.map(zones_of, by_account)))
        looked = [s.domain for s in sites if registrar_look(s, zones[s.cloudflare_account_id])]
        namecheap = ctx.clients.namecheap() if looked else None
        servers = {domain: at_registrar.submit(namecheap.get_nameservers, domain) for domain in looked}
        for account_id, members in by_account.items():  # two reads per zone: records, SSL mode
            clients[account_id].expect(2 * sum(1 for s in members if s.domain in zones[account_id]))
        try:
            found = pool.map(lambda s: (s.domain, one(s, zones[s.cloudflare_account_id], servers.get(s.domain))),
                             sites)
            return dict(found)
        finally:
            for pending in servers.values():
                pending.cancel()  # a Cloudflare error ends the look: no registrar reads left behind
            for client in clients.values():
                client.settle()


def _same_servers(a: list[str], b: list[str]) -> bool:
    return sorted(s.lower().rstrip(".") for s in a) == sorted(s.lower().rstrip(".") for s in b)


def plan(want: DnsDesired, seen: DnsObserved) -> list[Change]:
    changes: list[Change] = []
    zone = seen.zone
    if zone is None:
        changes.append(Change(LAYER, "create", f"zone {want.domain}", "no zone for the domain in the site's "
                              "Cloudflare account", after="full zone", action="create_zone"))
    else:
        changes.append(Change(LAYER, "noop", f"zone {want.domain}", "the zone exists", before=zone.status,
                              after=zone.status))
    for record in want.records:
        existing = seen.records.get(record.key, [])
        proxied = "proxied" if record.proxied else "DNS only"
        after = f"{record.content} ({proxied})"
        match = [r for r in existing if r.content == record.content
                 and (record.proxied is None or r.proxied == record.proxied)]
        if match:
            changes.append(Change(LAYER, "noop", record.key, "as desired", before=after, after=after))
        elif existing:
            before = f"{existing[0].content} ({'proxied' if existing[0].proxied else 'DNS only'})"
            changes.append(Change(LAYER, "update", record.key, "points elsewhere", before=before, after=after,
                                  action="update_record"))
        else:
            changes.append(Change(LAYER, "create", record.key, "missing", after=after, action="create_record"))
    if seen.ssl_mode != want.ssl_mode:
        changes.append(Change(LAYER, "update", "SSL mode", "CloudPanel's origin serves HTTPS", before=seen.ssl_mode,
                              after=want.ssl_mode, action="set_ssl"))
    else:
        changes.append(Change(LAYER, "noop", "SSL mode", "as desired", before=want.ssl_mode, after=want.ssl_mode))
    if zone is None:
        changes.append(Change(LAYER, "update", "registrar name servers", "delegate to the new zone",
                              after="the zone's assigned pair", action="set_nameservers"))
        changes.append(Change(LAYER, "wait", f"zone {want.domain}", WAIT_DELEGATION, before="pending",
                              after="active", action="activation_check"))
    elif zone.status == "active" and seen.registrar is not None \
            and not _same_servers(seen.registrar.nameservers, zone.name_servers):
        changes.append(Change(LAYER, "update", REGISTRAR_TARGET, "the registrar delegates elsewhere",
                              before=", ".join(seen.registrar.nameservers) or "the registrar's own DNS",
                              after=", ".join(zone.name_servers), action="set_nameservers"))
    elif zone.status == "active":
        changes.append(Change(LAYER, "noop", REGISTRAR_TARGET, "the zone is active",
                              after=", ".join(zone.name_servers)))
    else:
        registrar = seen.registrar
        now = ", ".join(registrar.nameservers) if registrar else "unknown"
        want_ns = ", ".join(zone.name_servers)
        if registrar is None or not _same_servers(registrar.nameservers, zone.name_servers):
            changes.append(Change(LAYER, "update", "registrar name servers", "delegate to the zone's assigned pair",
                                  before=now, after=want_ns, action="set_nameservers"))
        else:
            changes.append(Change(LAYER, "noop", "registrar name servers", "already delegated", before=now,
                                  after=want_ns))
        changes.append(Change(LAYER, "wait", f"zone {want.domain}", WAIT_DELEGATION, before=zone.status,
                              after="active", action="activation_check"))
    return changes


def until_checkable(ctx: LayerContext, delegated_since: dt.datetime | None,
                    now: dt.datetime | None = None) -> dt.timedelta:
    """How long until the registry has published a delegation made at `delegated_since` (None:
    just now), i.e. until Cloudflare's activation check can see it; zero once it can."""
    now = now or dt.datetime.now(dt.UTC)
    after = dt.timedelta(seconds=ctx.settings.activation_check_after_s * ctx.settings.rate_time_scale)
    return max(dt.timedelta(0), (delegated_since or now) + after - now)


def check_answering(ctx: LayerContext, zone_id: str) -> dt.timedelta | None:
    """The next look at a zone whose requested activation check may still be answering (asked less
    than CHECK_ANSWER_S ago, by any run or the follow-up sensor); None otherwise."""
    scale = ctx.settings.rate_time_scale
    ago = ctx.clients.limiter.since_last(ACTIVATION_CHECKS.scaled(scale), zone_id)
    if ago is None or ago >= CHECK_ANSWER_S * scale:
        return None
    return dt.timedelta(seconds=CHECK_LOOK_S * scale)


def request_activation_check(ctx: LayerContext, cf: CloudflareClient, zone_id: str,
                             delegated_since: dt.datetime | None) -> bool:
    """Ask Cloudflare to look for the delegation now, at most once an hour per zone (its limit for
    Free zones; shared by every run and the follow-up sensor), and not before the registry can have
    published it: a check spent too early costs an hour. True if it was asked."""
    if until_checkable(ctx, delegated_since) > dt.timedelta(0):
        return False
    if not ctx.clients.limiter.try_acquire(ACTIVATION_CHECKS.scaled(ctx.settings.rate_time_scale), zone_id):
        return False
    try:
        cf.trigger_activation_check(zone_id)
    except VendorError as exc:
        if exc.status in (400, 429):  # Cloudflare's own throttle on the check: the next look will ask again
            return False
        raise
    return True


def _ensure_zone(ctx: LayerContext, site: Site, cf: CloudflareClient, domain: str) -> tuple[Zone, bool]:
    """Create the zone in the site's own Cloudflare account (its stored id: nothing here lists
    accounts); a concurrent creator's zone is adopted."""
    account = ctx.store.cloudflare_accounts.get(site.cloudflare_account_id)
    if not account.account_id:
        raise VendorError("cloudflare", f"the Cloudflare account {account.account_nickname} has no account id; "
                                        "set it (factory accounts set-cloudflare-id, or the Hub) and run again")
    status = cf.verify_token()
    if status != "active":
        raise VendorError("cloudflare", f"the API token of {account.account_nickname} is {status}; replace it")
    try:
        return cf.create_zone(domain, account.account_id), True
    except VendorError as exc:
        if exc.code == ZONE_EXISTS:
            zone = cf.find_zone(domain)
            if zone is not None:
                return zone, False
            raise VendorError("cloudflare", f"{domain} already exists in another Cloudflare account; "
                                            "remove it there or pick that account") from None
        raise


def apply(ctx: LayerContext, site: Site, want: DnsDesired, seen: DnsObserved, changes: list[Change]) -> Applied:
    cf = ctx.clients.cloudflare(site.cloudflare_account_id)
    zone = seen.zone
    facts: dict = {"zone_created": False, "records_changed": 0, "nameservers_set": False}
    look_again: dt.timedelta | None = None
    by_key = {r.key: r for r in want.records}
    for change in changes:
        if change.action == "create_zone":
            zone, facts["zone_created"] = _ensure_zone(ctx, site, cf, want.domain)
        elif change.action in ("create_record", "update_record"):
            record = by_key[change.target]
            existing = seen.records.get(record.key) or []
            if existing:
                cf.update_record(zone.id, existing[0].id, record.type, record.name, record.content, record.proxied)
            else:
                try:
                    cf.create_record(zone.id, record.type, record.name, record.content, record.proxied)
                except VendorError as exc:
                    if exc.code not in RECORD_EXISTS:  # a concurrent run created the identical record
                        raise
            facts["records_changed"] += 1
        elif change.action == "set_ssl":
            cf.set_setting(zone.id, "ssl", want.ssl_mode)
        elif change.action == "set_nameservers":
            ctx.clients.namecheap().set_nameservers(want.domain, zone.name_servers)
            facts["nameservers_set"] = True
        elif change.action == "activation_check" and zone.status != "active":
            delegated_since = None if facts["nameservers_set"] else _waiting_since(ctx, site)
            facts["activation_check"] = request_activation_check(ctx, cf, zone.id, delegated_since)
            look_again = until_checkable(ctx, delegated_since) or check_answering(ctx, zone.id)
    if zone is not None and zone.status != "active":
        zone = cf.get_zone(zone.id)  # delegation may have activated it already
    facts.update({"zone_id": zone.id, "zone_status": zone.status, "name_servers": ", ".join(zone.name_servers)})
    record = {"cloudflare_zone_id": zone.id, "cloudflare_name_servers": zone.name_servers,
              "cloudflare_zone_status": zone.status}
    if zone.status == "active":
        return Applied(record, facts=facts)
    return Applied(record, waiting_for=WAIT_DELEGATION, facts=facts, look_again_in=look_again,
                   seen=f"zone {zone.status}; expected delegation to {', '.join(zone.name_servers)}")


def _waiting_since(ctx: LayerContext, site: Site) -> dt.datetime | None:
    """Since when the zone has waited for the delegation (about when the registrar was changed)."""
    step = ctx.store.steps.get(site.id, STEP)
    return step.waiting_since if step is not None and step.waiting_for == WAIT_DELEGATION else None


# -- towards absent (decommissioning) ---------------------------------------------------------------
def plan_absent(want: DnsDesired, seen: DnsObserved, *, keep_dns: bool = False,
                reset_nameservers: bool = False) -> list[Change]:
    """Delete the zone (its records go with it), unless kept; point the registrar back at its own
    name servers on request."""
    changes: list[Change] = []
    if seen.zone is None:
        changes.append(Change(LAYER, "noop", f"zone {want.domain}", "no zone"))
    elif keep_dns:
        changes.append(Change(LAYER, "noop", f"zone {want.domain}", "kept (--keep-dns)", before=seen.zone.status))
    else:
        changes.append(Change(LAYER, "delete", f"zone {want.domain}", "the site is decommissioned",
                              before=f"{seen.zone.status}, {sum(len(v) for v in seen.records.values())} records",
                              action="delete_zone"))
    if reset_nameservers:
        registrar = seen.registrar
        if registrar is not None and registrar.using_our_dns:
            changes.append(Change(LAYER, "noop", "registrar name servers", "already the registrar's own"))
        else:
            changes.append(Change(LAYER, "update", "registrar name servers", "back to the registrar's defaults",
                                  before=", ".join(registrar.nameservers) if registrar else None,
                                  after="registrar defaults", action="reset_nameservers"))
    return changes


def apply_absent(ctx: LayerContext, site: Site, want: DnsDesired, seen: DnsObserved,
                 changes: list[Change]) -> Applied:
    for change in changes:
        if change.action == "delete_zone":
            ctx.clients.cloudflare(site.cloudflare_account_id).delete_zone(seen.zone.id)
        elif change.action == "reset_nameservers":
            ctx.clients.namecheap().set_default_nameservers(want.domain)
    return Applied({"cloudflare_zone_status": None} if any(c.action == "delete_zone" for c in changes) else {})
