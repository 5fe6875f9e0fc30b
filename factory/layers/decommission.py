"""Decommissioning: onboarding in reverse, each step idempotent and resumable, with its own state
(the step state machine). Planned first — the plan towards "absent", layer by layer — and applied
behind the guard like every bulk change; deletes weigh double there.

Order: take the site offline (the live release archived on the host), delete the CloudPanel site,
the Matomo site (or keep its data), the Search Console property and the verification, the
Cloudflare zone (or keep it), point the registrar back at its own name servers (on request),
archive the Directus content; then the `sites` row is marked decommissioned — never deleted: its
analytics stay, its partition is removed by the sensor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from factory.layers import dns, hosting, matomo, search_console
from factory.layers.change import Change
from factory.layers.fleet import FleetPlan
from factory.layers.runner import Applied, LayerContext, StepOutcome, run_step
from factory.logs import redact
from factory.store import Site
from factory.vendors.rsync import layout

STEPS = ("decommission_offline", "decommission_hosting", "decommission_matomo", "decommission_search_console",
         "decommission_dns", "decommission_content")


@dataclass(frozen=True)
class Options:
    keep_dns: bool = False  # leave the Cloudflare zone and records
    keep_analytics: bool = False  # keep the Matomo site and its data
    reset_nameservers: bool = False  # point the registrar back at its own name servers

    def as_dict(self) -> dict:
        return {"keep_dns": self.keep_dns, "keep_analytics": self.keep_analytics,
                "reset_nameservers": self.reset_nameservers}


def archive_dir(ctx: LayerContext) -> str:
    """Where final releases are kept: beside the site users' homes, not in one (CloudPanel deletes those)."""
    return f"{ctx.settings.cloudpanel_home_dir.rstrip('/')}/.factory-archive"


def _offline_plan(site: Site) -> list[Change]:
    if not site.hosting_doc_root:
        return [Change("deploy", "noop", f"live release of {site.domain}", "nothing was deployed")]
    return [Change("deploy", "delete", f"live release of {site.domain}", "take the site offline; the final release "
                   "is archived on the host", before=site.hosting_doc_root, action="take_offline")]


def plan(ctx: LayerContext, site: Site, options: Options) -> dict[str, list[Change]]:
    """What decommissioning would do, per step (read-only)."""
    s = ctx.settings
    return {
        "decommission_offline": _offline_plan(site),
        "decommission_hosting": hosting.plan_absent(hosting.desired(site, s),
                                                    hosting.observe(ctx, site, hosting.desired(site, s))),
        "decommission_matomo": matomo.plan_absent(matomo.desired(site, s),
                                                  matomo.observe(ctx, site, matomo.desired(site, s)),
                                                  keep_data=options.keep_analytics),
        "decommission_search_console": search_console.plan_absent(
            search_console.desired(site, s), _gsc_seen(ctx, site)),
        "decommission_dns": dns.plan_absent(dns.desired(site, s), _dns_seen(ctx, site, options), keep_dns=options.keep_dns,
                                            reset_nameservers=options.reset_nameservers),
        "decommission_content": [Change("content", "update", f"content of {site.domain}", "archive the pages in "
                                        "Directus (kept, never built again)", after="archived", action="archive")],
    }


def fleet_plan(ctx: LayerContext, sites: list[Site], options: Options) -> FleetPlan:
    """The plan towards absent for every selected site, as one fleet plan (its deletes weigh double
    in the guard)."""
    result = FleetPlan([s.domain for s in sites], ["decommission"])
    for site in sites:
        try:
            steps = plan(ctx, site, options)
        except Exception as exc:  # noqa: BLE001 - a vendor down: the plan says so for that site
            result.errors.append((site.domain, "decommission", redact(str(exc))))
            continue
        result.changes += [(site.domain, change) for changes in steps.values() for change in changes]
    return result


def _gsc_seen(ctx: LayerContext, site: Site) -> search_console.GscObserved:
    if site.gsc_account_id is None:
        return search_console.GscObserved()
    google = ctx.clients.google(site.gsc_account_id)
    permission = google.properties().get(search_console.property_url(site.domain))
    return search_console.GscObserved(permission, site.domain in google.verified())


def _dns_seen(ctx: LayerContext, site: Site, options: Options) -> dns.DnsObserved:
    return dns.observe(ctx, site, dns.desired(site, ctx.settings), registrar=options.reset_nameservers)


def run(ctx: LayerContext, site: Site, options: Options, only: str | None = None) -> list[StepOutcome]:
    """Every step in order (or `only` one): each looks first and does only what is left, so a run
    killed half-way is simply run again."""
    s = ctx.settings
    outcomes = []

    def step(name: str, work) -> None:
        if only is None or only == name:
            outcomes.append(run_step(ctx, name, site, work))

    def offline():
        changes = _offline_plan(site)
        archive = None
        if changes[0].action == "take_offline":
            archive = ctx.clients.releaser().take_offline(layout(site.hosting_doc_root, site.domain), archive_dir(ctx))
        return changes, Applied(facts={"archive": archive or ""}, message=f"archived to {archive}" if archive else None)

    def hosting_absent():
        want = hosting.desired(site, s)
        seen = hosting.observe(ctx, site, want)
        changes = hosting.plan_absent(want, seen)
        return changes, hosting.apply_absent(ctx, site, want, seen, changes)

    def matomo_absent():
        want = matomo.desired(site, s)
        seen = matomo.observe(ctx, site, want)
        changes = matomo.plan_absent(want, seen, keep_data=options.keep_analytics)
        return changes, matomo.apply_absent(ctx, site, want, seen, changes)

    def gsc_absent():
        want = search_console.desired(site, s)
        seen = _gsc_seen(ctx, site)
        changes = search_console.plan_absent(want, seen)
        return changes, search_console.apply_absent(ctx, site, want, seen, changes)

    def dns_absent():
        want = dns.desired(site, s)
        seen = _dns_seen(ctx, site, options)
        changes = dns.plan_absent(want, seen, keep_dns=options.keep_dns, reset_nameservers=options.reset_nameservers)
        return changes, dns.apply_absent(ctx, site, want, seen, changes)

    def content_absent():
        with ctx.clients.directus() as cms:
            archived = cms.archive_site(site.domain, dt.datetime.now(dt.UTC).isoformat())
        return ([Change("content", "update" if archived else "noop", f"content of {site.domain}", "archived",
                        after="archived")], Applied(facts={"pages_archived": archived}))

    step("decommission_offline", offline)
    step("decommission_hosting", hosting_absent)
    step("decommission_matomo", matomo_absent)
    step("decommission_search_console", gsc_absent)
    step("decommission_dns", dns_absent)
    step("decommission_content", content_absent)
    if only is None:
        ctx.store.sites.mark_decommissioned(site.id, options.as_dict())
    return outcomes

