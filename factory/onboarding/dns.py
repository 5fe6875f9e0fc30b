"""DNS: the site's zone in its own Cloudflare account, records pointing at the hosting server,
SSL mode, and Namecheap delegating to Cloudflare's name servers."""

from __future__ import annotations

from dataclasses import dataclass, field

from factory.retry import VendorError
from resources.cloudflare import RECORD_EXISTS, ZONE_EXISTS, CloudflareClient, Record, Zone
from resources.namecheap import NamecheapClient


@dataclass(frozen=True)
class DesiredRecord:
    type: str
    name: str
    content: str
    proxied: bool | None = True


@dataclass
class DnsOutcome:
    zone: Zone
    zone_created: bool = False
    records_created: list[str] = field(default_factory=list)
    records_updated: list[str] = field(default_factory=list)
    nameservers_set: bool = False
    ssl_changed: bool = False


def desired_records(domain: str, server_ip: str) -> list[DesiredRecord]:
    return [DesiredRecord("A", domain, server_ip), DesiredRecord("A", f"www.{domain}", server_ip)]


def ensure_zone(cf: CloudflareClient, domain: str) -> tuple[Zone, bool]:
    """Find the zone by name, else create it; a concurrent creator's zone is adopted."""
    zone = cf.find_zone(domain)
    if zone is not None:
        return zone, False
    try:
        return cf.create_zone(domain, cf.account_id()), True
    except VendorError as exc:
        if exc.code == ZONE_EXISTS:
            zone = cf.find_zone(domain)
            if zone is not None:
                return zone, False
            raise VendorError("cloudflare", f"{domain} already exists in another Cloudflare account; "
                                            "remove it there or pick that account") from None
        raise


def ensure_record(cf: CloudflareClient, zone_id: str, want: DesiredRecord) -> str | None:
    """Make one record as desired; returns 'created', 'updated' or None (already right)."""
    existing = cf.list_records(zone_id, want.type, want.name)
    for record in existing:
        if record.content == want.content and (want.proxied is None or record.proxied == want.proxied):
            return None
    if existing:
        cf.update_record(zone_id, existing[0].id, want.type, want.name, want.content, want.proxied)
        return "updated"
    try:
        cf.create_record(zone_id, want.type, want.name, want.content, want.proxied)
    except VendorError as exc:
        if exc.code in RECORD_EXISTS:
            return None  # a concurrent run created the identical record
        raise
    return "created"


def records_as_desired(cf: CloudflareClient, zone_id: str, wanted: list[DesiredRecord]) -> dict[str, bool]:
    """Re-read each desired record from Cloudflare (for the asset check)."""
    found: dict[str, bool] = {}
    for want in wanted:
        records: list[Record] = cf.list_records(zone_id, want.type, want.name)
        found[f"{want.type} {want.name}"] = any(r.content == want.content for r in records)
    return found


def ensure_dns(cf: CloudflareClient, nc: NamecheapClient, domain: str, server_ip: str,
               ssl_mode: str = "full") -> DnsOutcome:
    zone, created = ensure_zone(cf, domain)
    outcome = DnsOutcome(zone=zone, zone_created=created)
    for want in desired_records(domain, server_ip):
        change = ensure_record(cf, zone.id, want)
        if change == "created":
            outcome.records_created.append(f"{want.type} {want.name}")
        elif change == "updated":
            outcome.records_updated.append(f"{want.type} {want.name}")
    if cf.get_setting(zone.id, "ssl") != ssl_mode:
        cf.set_setting(zone.id, "ssl", ssl_mode)
        outcome.ssl_changed = True
    if zone.status != "active":
        # Delegation is what activates the zone; once active, Namecheap needs no call at all.
        nc.set_nameservers(domain, zone.name_servers)
        outcome.nameservers_set = True
        outcome.zone = cf.get_zone(zone.id)
    return outcome
