"""Search Console: ownership proven with a DNS TXT record (Site Verification, DNS_TXT), then
the `sc-domain:` property, through the site's own Google account. Google sees the TXT record
only through the public delegation, so verification waits for the zone to be active and, after
that, for propagation (Google's 400 "token could not be found" means: not yet)."""

from __future__ import annotations

import datetime as dt

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from factory.config import Settings
from factory.layers.change import Change
from factory.layers.runner import Applied, LayerContext
from factory.store import Site
from factory.vendors.cloudflare import RECORD_EXISTS, CloudflareClient
from factory.vendors.retry import VendorError

LAYER, STEP = "search_console", "gsc_property"
OWNER_LEVELS = {"siteOwner", "SITE_OWNER", "siteFullUser", "SITE_FULL_USER"}
WAIT_ZONE = "the DNS zone to be active so Google can see the verification record"
WAIT_PROPAGATION = "Google to see the verification TXT record"
TOKEN_NOT_FOUND = "verification token could not be found"
TXT_PREFIX = "google-site-verification="
CREATE_TXT = "create_txt"


def property_url(domain: str) -> str:
    return f"sc-domain:{domain}"


@dataclass(frozen=True)
class GscDesired:
    domain: str
    property: str
    managed: bool  # the site has a Google account


@dataclass(frozen=True)
class GscObserved:
    permission: str | None = None  # the property's permission level for the account, if listed
    verified: bool = False
    token: str | None = None  # the DNS_TXT token Google wants (read only when not verified)
    txt_present: bool = False
    zone_id: str | None = None
    zone_active: bool = False
    txt_removed: bool = False  # verified, but the zone has no verification TXT record at the apex any more
    txt_written_at: dt.datetime | None = None  # when the verification record was last written (Cloudflare's)


def desired(site: Site, settings: Settings) -> GscDesired:
    return GscDesired(site.domain, property_url(site.domain), site.gsc_account_id is not None)


def observe(ctx: LayerContext, site: Site, want: GscDesired) -> GscObserved:
    if not want.managed:
        return GscObserved()
    google = ctx.clients.google(site.gsc_account_id)
    zone = {"zone_id": site.cloudflare_zone_id, "zone_active": site.cloudflare_zone_status == "active"}
    permission = google.properties().get(want.property)
    if permission in OWNER_LEVELS or google.is_verified(want.domain):
        return verified_observed(ctx, site, want, permission, zone)
    token = google.verification_token(want.domain)
    present, written = False, None
    if site.cloudflare_zone_id:
        records = ctx.clients.cloudflare(site.cloudflare_account_id).list_records(site.cloudflare_zone_id, "TXT",
                                                                                  want.domain)
        mine = [r for r in records if r.content.strip('"') == token]
        present, written = bool(mine), max((r.modified_on for r in mine if r.modified_on), default=None)
    return GscObserved(permission, False, token, present, **zone, txt_written_at=written)


def _visible_at(ctx: LayerContext, site: Site, seen: GscObserved, written_now: bool) -> dt.datetime:
    """When Google's resolvers can first see the verification record: a propagation
    (FACTORY_TXT_PROPAGATION_S) after it was written or its zone activated, whichever is later,
    as Cloudflare dates them (now, for what it cannot date)."""
    now = dt.datetime.now(dt.UTC)
    written = now if written_now else (seen.txt_written_at or now)
    try:
        activated = ctx.clients.cloudflare(site.cloudflare_account_id).get_zone(site.cloudflare_zone_id).activated_on
    except VendorError:
        activated = None  # the backoff from now, then
    since = max(written, activated or now)
    return since + dt.timedelta(seconds=ctx.settings.txt_propagation_s * ctx.settings.rate_time_scale)


def observe_many(ctx: LayerContext, sites: list[Site]) -> dict[str, GscObserved]:
    """The same as `observe`, batched: per Google account one property listing and one listing
    of verified resources; only unverified sites cost a token request and a TXT look-up."""
    found: dict[str, GscObserved] = {}
    by_account: dict = {}
    for site in sites:
        if site.gsc_account_id is None:
            found[site.domain] = GscObserved()
        else:
            by_account.setdefault(site.gsc_account_id, []).append(site)
    def listings(account_id):
        google = ctx.clients.google(account_id)  # httplib2 is not thread-safe: one client per thread
        return google.properties(), google.verified()

    with ThreadPoolExecutor(max_workers=ctx.settings.plan_concurrency) as pool:
        answers = dict(zip(by_account, pool.map(listings, by_account)))
    for account_id, group in by_account.items():
        properties, verified = answers[account_id]
        for site in group:
            zone = {"zone_id": site.cloudflare_zone_id, "zone_active": site.cloudflare_zone_status == "active"}
            permission = properties.get(property_url(site.domain))
            if permission in OWNER_LEVELS or site.domain in verified:
                found[site.domain] = GscObserved(permission, verified=True, **zone)
            else:
                found[site.domain] = observe(ctx, site, desired(site, ctx.settings))
    # A verified domain keeps its verification only while the TXT record stays (Google checks it
    # again from time to time): one TXT look-up per verified site, side by side.
    checked = [s for s in sites if found[s.domain].verified and s.cloudflare_zone_id]
    # One Cloudflare client per account, not per site (each reads the account's credential).
    cloudflare = {a: ctx.clients.cloudflare(a) for a in {s.cloudflare_account_id for s in checked}}

    def txt_of(site: Site) -> tuple[str, GscObserved]:
        seen = found[site.domain]
        return site.domain, verified_observed(ctx, site, desired(site, ctx.settings), seen.permission,
                                              {"zone_id": seen.zone_id, "zone_active": seen.zone_active},
                                              cloudflare[site.cloudflare_account_id])

    for site in checked:
        cloudflare[site.cloudflare_account_id].expect(1)
    try:
        with ThreadPoolExecutor(max_workers=ctx.settings.plan_concurrency) as pool:
            found.update(dict(pool.map(txt_of, checked)))
    finally:
        for client in cloudflare.values():
            client.settle()
    return found


def has_verification_txt(cf: CloudflareClient, site: Site, domain: str) -> bool:
    records = cf.list_records(site.cloudflare_zone_id, "TXT", domain)
    return any(r.content.strip().strip('"').startswith(TXT_PREFIX) for r in records)


def verified_observed(ctx: LayerContext, site: Site, want: GscDesired, permission: str | None,
                      zone: dict, cf: CloudflareClient | None = None) -> GscObserved:
    """A verified domain: whether its verification TXT record is still in the zone (and, only when
    it is not, the token to put back)."""
    if not site.cloudflare_zone_id or has_verification_txt(
            cf or ctx.clients.cloudflare(site.cloudflare_account_id), site, want.domain):
        return GscObserved(permission, verified=True, txt_present=True, **zone)
    token = ctx.clients.google(site.gsc_account_id).verification_token(want.domain)
    return GscObserved(permission, verified=True, token=token, txt_removed=True, **zone)


def plan(want: GscDesired, seen: GscObserved) -> list[Change]:
    if not want.managed:
        return [Change(LAYER, "noop", want.property, "the site has no Google account")]
    changes: list[Change] = []
    if seen.verified and seen.txt_removed:
        changes.append(Change(LAYER, "create", f"TXT {want.domain}",
                              "Google's verification TXT record was removed (Google drops the verification "
                              "when it checks again)", before="missing", after=seen.token, action=CREATE_TXT))
    if seen.permission in OWNER_LEVELS:
        return [*changes, Change(LAYER, "noop", want.property, "owned", before=seen.permission,
                                 after=seen.permission)]
    if not seen.verified:
        if seen.zone_id is None:
            return [Change(LAYER, "wait", "verification TXT record", "the DNS zone to be created first",
                           action="wait_zone")]
        if not seen.txt_present:
            changes.append(Change(LAYER, "create", f"TXT {want.domain}", "Google's DNS_TXT verification token",
                                  after=seen.token, action=CREATE_TXT))
        if seen.zone_active:
            changes.append(Change(LAYER, "update", f"verification of {want.domain}", "not verified yet",
                                  before="unverified", after="verified", action="verify"))
        else:
            changes.append(Change(LAYER, "wait", f"verification of {want.domain}", WAIT_ZONE,
                                  before="unverified", after="verified"))
            return changes
    changes.append(Change(LAYER, "create", want.property, "the property is not in the account", before=seen.permission,
                          after="siteOwner", action="add_property"))
    return changes


def apply(ctx: LayerContext, site: Site, want: GscDesired, seen: GscObserved, changes: list[Change]) -> Applied:
    facts = {"property": want.property, "txt_created": False, "verified_now": False, "property_added": False}
    if not want.managed:
        return Applied(facts={"skipped": "the site has no Google account"})
    google = ctx.clients.google(site.gsc_account_id)
    for change in changes:
        if change.action == CREATE_TXT:
            cf = ctx.clients.cloudflare(site.cloudflare_account_id)
            try:
                cf.create_record(site.cloudflare_zone_id, "TXT", want.domain, seen.token, None)
            except VendorError as exc:
                if exc.code not in RECORD_EXISTS:
                    raise
            facts["txt_created"] = True
        elif change.action == "verify":
            try:
                google.verify(want.domain)
            except VendorError as exc:
                if exc.status == 400 and TOKEN_NOT_FOUND in str(exc):
                    return Applied(waiting_for=WAIT_PROPAGATION, seen="Google does not see the TXT record yet",
                                   facts=facts, look_at=_visible_at(ctx, site, seen, facts["txt_created"]))
                raise
            facts["verified_now"] = True
        elif change.action == "add_property":
            google.add_property(want.property)
            facts["property_added"] = True
        elif change.kind == "wait":
            return Applied(waiting_for=change.reason, seen=f"zone {site.cloudflare_zone_status or 'not created'}",
                           facts=facts)
    return Applied({"gsc_property": want.property}, facts=facts)


# -- towards absent (decommissioning) ---------------------------------------------------------------
def plan_absent(want: GscDesired, seen: GscObserved) -> list[Change]:
    if not want.managed:
        return [Change(LAYER, "noop", want.property, "the site has no Google account")]
    changes = []
    if seen.permission:
        changes.append(Change(LAYER, "delete", want.property, "the site is decommissioned", before=seen.permission,
                              action="delete_property"))
    if seen.verified:
        changes.append(Change(LAYER, "delete", f"verification of {want.domain}", "the site is decommissioned",
                              before="verified", action="unverify"))
    return changes or [Change(LAYER, "noop", want.property, "no property and no verification")]


def apply_absent(ctx: LayerContext, site: Site, want: GscDesired, seen: GscObserved,
                 changes: list[Change]) -> Applied:
    if not want.managed:
        return Applied()
    google = ctx.clients.google(site.gsc_account_id)
    for change in changes:
        if change.action == "delete_property":
            google.delete_property(want.property)
        elif change.action == "unverify":
            resource = google.verified().get(want.domain)
            if resource:
                google.unverify(resource)
    return Applied()
