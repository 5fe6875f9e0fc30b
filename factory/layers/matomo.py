"""Analytics registration: the site in Matomo (found by URL, or added), its id recorded for the
tracking snippet."""

from __future__ import annotations

from dataclasses import dataclass

from factory.config import Settings
from factory.layers.change import Change
from factory.layers.runner import Applied, LayerContext
from factory.store import Site
from factory.vendors.matomo import site_url

LAYER, STEP = "matomo", "matomo_site"


@dataclass(frozen=True)
class MatomoDesired:
    domain: str
    url: str
    name: str


@dataclass(frozen=True)
class MatomoObserved:
    site_id: int | None


def desired(site: Site, settings: Settings) -> MatomoDesired:
    return MatomoDesired(site.domain, site_url(site.domain), site.brand_name or site.domain)


def observe(ctx: LayerContext, site: Site, want: MatomoDesired) -> MatomoObserved:
    return MatomoObserved(ctx.clients.matomo().find_site(want.domain))


def observe_many(ctx: LayerContext, sites: list[Site]) -> dict[str, MatomoObserved]:
    """The same as `observe`, batched: one request lists every Matomo site."""
    by_url = ctx.clients.matomo().all_sites()
    return {s.domain: MatomoObserved(by_url.get(desired(s, ctx.settings).url)) for s in sites}


def plan(want: MatomoDesired, seen: MatomoObserved) -> list[Change]:
    if seen.site_id is None:
        return [Change(LAYER, "create", f"Matomo site {want.url}", "no Matomo site has this URL", after=want.name,
                       action="add_site")]
    return [Change(LAYER, "noop", f"Matomo site {want.url}", "registered", before=f"id {seen.site_id}",
                   after=f"id {seen.site_id}")]


def apply(ctx: LayerContext, site: Site, want: MatomoDesired, seen: MatomoObserved,
          changes: list[Change]) -> Applied:
    site_id = seen.site_id
    if any(c.action == "add_site" for c in changes):
        site_id = ctx.clients.matomo().add_site(want.domain, want.name)
    return Applied({"matomo_site_id": site_id}, facts={"matomo_site_id": site_id, "created": seen.site_id is None})


# -- towards absent (decommissioning) ---------------------------------------------------------------
def plan_absent(want: MatomoDesired, seen: MatomoObserved, *, keep_data: bool = False) -> list[Change]:
    if seen.site_id is None:
        return [Change(LAYER, "noop", f"Matomo site {want.url}", "not in Matomo")]
    if keep_data:
        return [Change(LAYER, "noop", f"Matomo site {want.url}", "kept with its data (--keep-analytics)",
                       before=f"id {seen.site_id}")]
    return [Change(LAYER, "delete", f"Matomo site {want.url}", "the site is decommissioned", before=f"id {seen.site_id}",
                   action="delete_site")]


def apply_absent(ctx: LayerContext, site: Site, want: MatomoDesired, seen: MatomoObserved,
                 changes: list[Change]) -> Applied:
    if any(c.action == "delete_site" for c in changes):
        ctx.clients.matomo().delete_site(seen.site_id)
    return Applied()
