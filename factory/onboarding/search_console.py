"""Search Console: prove ownership with a DNS TXT record, then add the domain property."""

from __future__ import annotations

from dataclasses import dataclass

from factory.onboarding.dns import DesiredRecord, ensure_record
from resources.cloudflare import CloudflareClient
from resources.google import GoogleClient

OWNER_LEVELS = {"siteOwner", "SITE_OWNER", "siteFullUser", "SITE_FULL_USER"}


def property_url(domain: str) -> str:
    return f"sc-domain:{domain}"


@dataclass
class GscOutcome:
    property: str
    txt_created: bool = False
    verified_now: bool = False
    property_added: bool = False


def ensure_property(google: GoogleClient, cf: CloudflareClient, zone_id: str, domain: str) -> GscOutcome:
    prop = property_url(domain)
    outcome = GscOutcome(prop)
    if google.properties().get(prop) in OWNER_LEVELS:
        return outcome
    if not google.is_verified(domain):
        token = google.verification_token(domain)
        outcome.txt_created = ensure_record(cf, zone_id, DesiredRecord("TXT", domain, token, proxied=None)) is not None
        google.verify(domain)
        outcome.verified_now = True
    google.add_property(prop)
    outcome.property_added = True
    return outcome
