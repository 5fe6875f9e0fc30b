"""Hosting: a static site on the CloudPanel server (added or adopted) with a Let's Encrypt
certificate. Let's Encrypt validates over HTTP, so the certificate waits for the site's DNS to
be active; `status_hosting` is `active` only with the certificate installed."""

from __future__ import annotations

from dataclasses import dataclass

from factory.config import Settings
from factory.layers.change import Change
from factory.layers.runner import Applied, LayerContext
from factory.store import Site
from factory.vendors.cloudpanel import HostedSite, doc_root_for, site_user_for
from factory.vendors.rsync import layout

LAYER, STEP = "hosting", "hosting_site"
WAIT_DNS = "the site's DNS to be active before Let's Encrypt can validate"
RESTORE_DOC_ROOT = "restore_doc_root"  # the change a removed doc root plans (health check `doc_root`)


@dataclass(frozen=True)
class HostingDesired:
    domain: str
    site_user: str
    doc_root: str


@dataclass(frozen=True)
class HostingObserved:
    exists: bool
    certificate: bool  # as recorded when it was installed
    dns_active: bool  # as the DNS layer last saw Cloudflare's zone
    doc_root: bool = True  # the doc root serves something (a directory, or a live release's symlink)


def desired(site: Site, settings: Settings) -> HostingDesired:
    return HostingDesired(site.domain, site_user_for(site.domain), doc_root_for(settings.cloudpanel_home_dir, site.domain))


def observe(ctx: LayerContext, site: Site, want: HostingDesired) -> HostingObserved:
    panel = ctx.clients.cloudpanel()
    exists = panel.site_exists(want.domain)
    return HostingObserved(exists, site.hosting_certificate and exists, site.cloudflare_zone_status == "active",
                           doc_root=exists and panel.exists(want.domain))


def observe_many(ctx: LayerContext, sites: list[Site]) -> dict[str, HostingObserved]:
    """The same as `observe`, batched: one SSH command lists every site and doc root on the host."""
    present, roots = ctx.clients.cloudpanel().listing()
    found = {}
    for site in sites:
        doc_root = desired(site, ctx.settings).doc_root
        exists = doc_root.rsplit("/", 1)[0] in present
        found[site.domain] = HostingObserved(exists, site.hosting_certificate and exists,
                                             site.cloudflare_zone_status == "active", doc_root=doc_root in roots)
    return found


def plan(want: HostingDesired, seen: HostingObserved) -> list[Change]:
    if not seen.exists:
        changes = [Change(LAYER, "create", f"site {want.domain}", "no site on the hosting server",
                          after=want.doc_root, action="add_site")]
    elif not seen.doc_root:
        changes = [Change(LAYER, "create", f"doc root {want.domain}",
                          "the site's doc root is gone: nothing is served (the live release is put back)",
                          before="missing", after=want.doc_root, action=RESTORE_DOC_ROOT)]
    else:
        changes = [Change(LAYER, "noop", f"site {want.domain}", "the doc root exists", after=want.doc_root)]
    if seen.certificate:
        changes.append(Change(LAYER, "noop", "certificate", "installed", before="Let's Encrypt", after="Let's Encrypt"))
    elif seen.dns_active:
        changes.append(Change(LAYER, "create", "certificate", "none installed", before="self-signed",
                              after="Let's Encrypt", action="install_certificate"))
    else:
        changes.append(Change(LAYER, "wait", "certificate", WAIT_DNS, before="self-signed", after="Let's Encrypt"))
    return changes


def apply(ctx: LayerContext, site: Site, want: HostingDesired, seen: HostingObserved,
          changes: list[Change]) -> Applied:
    panel = ctx.clients.cloudpanel()
    hosted = HostedSite(want.domain, want.site_user, want.doc_root, created=False)
    restored = None
    certificate = seen.certificate
    for change in changes:
        if change.action == "add_site":
            hosted = panel.add_static_site(want.domain)
        elif change.action == RESTORE_DOC_ROOT:
            restored = restore_doc_root(ctx, site, want)
        elif change.action == "install_certificate":
            panel.install_certificate(want.domain)
            certificate = True
    record = {"hosting_doc_root": hosted.doc_root, "hosting_site_user": hosted.site_user,
              "hosting_certificate": certificate}
    facts = {"doc_root": hosted.doc_root, "site_user": hosted.site_user, "created": hosted.created,
             "certificate": "installed" if certificate else "waits for DNS to be active"}
    if any(c.action == RESTORE_DOC_ROOT for c in changes):
        facts["doc_root_restored"] = restored or "empty (no recorded release on the host: deploy again)"
    if certificate:
        return Applied(record, facts=facts)
    return Applied(record, waiting_for=WAIT_DNS, seen=f"zone {site.cloudflare_zone_status or 'not created'}",
                   facts=facts)


def restore_doc_root(ctx: LayerContext, site: Site, want: HostingDesired) -> str | None:
    """Put the removed doc root back with the recorded live release, if it is still on the host
    (one SSH command); otherwise an empty doc root, and the recorded deployment is forgotten so
    the next `site_deployment` publishes the current build again. Returns the release now live."""
    state = ctx.store.publishing.states([site.domain]).get(site.domain)
    recorded = state.deployed_release if state else None
    live = ctx.clients.releaser().restore_doc_root(layout(want.doc_root, want.domain), recorded)
    if recorded and live != recorded:
        ctx.store.publishing.record(site.id, deployed_hash=None, deployed_release=None)
    return live


# -- towards absent (decommissioning) ---------------------------------------------------------------
def plan_absent(want: HostingDesired, seen: HostingObserved) -> list[Change]:
    if not seen.exists:
        return [Change(LAYER, "noop", f"site {want.domain}", "not on the hosting server")]
    return [Change(LAYER, "delete", f"site {want.domain}", "the site is decommissioned (files archived first)",
                   before=want.doc_root, action="delete_site")]


def apply_absent(ctx: LayerContext, site: Site, want: HostingDesired, seen: HostingObserved,
                 changes: list[Change]) -> Applied:
    if any(c.action == "delete_site" for c in changes):
        ctx.clients.cloudpanel().delete_site(want.domain)
    return Applied({"hosting_certificate": False})
