"""The domain's registration at Namecheap: days to expiry and auto-renew.

One `namecheap.domains.getList` page covers 100 domains (two calls for 200 sites, well within
Namecheap's 20 a minute); a site's domain not in the account's list is asked for alone with
`namecheap.domains.getInfo` (which does not say whether auto-renew is on).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from factory.health import checks
from factory.layers.runner import LayerContext
from factory.store import Finding, Site
from factory.vendors.namecheap import Registration
from factory.vendors.retry import VendorError


def registrations(ctx: LayerContext, domains: Sequence[str]) -> dict[str, Registration | str]:
    """Per domain: its registration, or why it could not be read."""
    client = ctx.clients.namecheap()
    listed = client.registrations()
    found: dict[str, Registration | str] = {}
    for domain in domains:
        if domain in listed:
            found[domain] = listed[domain]
            continue
        try:
            found[domain] = client.registration(domain)
        except VendorError as exc:
            found[domain] = str(exc)
    return found


def findings(site: Site, registration: Registration, warn_days: int, today: dt.date) -> list[Finding]:
    found = []
    if registration.expires is not None:
        days = (registration.expires - today).days
        if registration.expired or days < 0:
            found.append(Finding(site.id, checks.DOMAIN_EXPIRY, site.domain, "fail", "the domain registration expired",
                                 f"expired {registration.expires:%Y-%m-%d}", f"more than {warn_days} days"))
        elif days < warn_days:
            found.append(Finding(site.id, checks.DOMAIN_EXPIRY, site.domain, "warn",
                                 f"the domain registration expires within {warn_days} days",
                                 f"expires {registration.expires:%Y-%m-%d} ({days} days)",
                                 f"more than {warn_days} days"))
    if registration.auto_renew is False:
        found.append(Finding(site.id, checks.AUTO_RENEW, site.domain, "warn", "auto-renew is off at the registrar",
                             "off", "on"))
    return found


def look(ctx: LayerContext, sites: Sequence[Site], *, today: dt.date | None = None) -> tuple[list[Finding], set, list]:
    """Findings for every site, the (site, kind) pairs judged, and errors (domain, why)."""
    today = today or dt.datetime.now(dt.UTC).date()
    warn_days = ctx.settings.health_domain_warn_days
    seen = registrations(ctx, [s.domain for s in sites])
    found: list[Finding] = []
    covered: set = set()
    errors = []
    for site in sites:
        registration = seen[site.domain]
        if isinstance(registration, str):
            errors.append((site.domain, registration))
            continue
        covered.add((site.id, checks.DOMAIN_EXPIRY))
        if registration.auto_renew is not None:
            covered.add((site.id, checks.AUTO_RENEW))
        found += findings(site, registration, warn_days, today)
    return found, covered, errors
