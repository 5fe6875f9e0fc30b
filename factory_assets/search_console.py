"""`gsc_property`: DNS-TXT verification and the `sc-domain:` property in Search Console."""


import dagster as dg

from factory.onboarding.search_console import OWNER_LEVELS, ensure_property, property_url
from factory_assets.partitions import site_partitions
from factory_assets.steps import STEP_RETRY_POLICY, site_step
from resources.cloudflare import CloudflareResource
from resources.google import GoogleResource
from resources.store import StoreResource


@dg.asset(
    partitions_def=site_partitions,
    group_name="onboarding",
    kinds={"google", "cloudflare"},
    pool="google",
    deps=["dns_zone"],
    retry_policy=STEP_RETRY_POLICY,
    check_specs=[dg.AssetCheckSpec("property_verified", asset="gsc_property",
                                   description="Search Console, re-read: the domain property is owned.")],
)
def gsc_property(context: dg.AssetExecutionContext, store: StoreResource, google: GoogleResource,
                 cloudflare: CloudflareResource) -> dg.MaterializeResult:
    """The site's domain property in Search Console, through the site's own Google account:
    verification token, TXT record on Cloudflare, verification, then the `sc-domain:` property."""
    db = store.get()
    site = db.get_site(context.partition_key)
    if site.gsc_account_id is None:
        return dg.MaterializeResult(
            metadata={"skipped": "the site has no Google account"},
            check_results=[dg.AssetCheckResult(check_name="property_verified", passed=True,
                                               metadata={"skipped": "no Google account"})],
        )
    with site_step(db, site.domain, "gsc_property", status_column="gsc_verification_status", running="pending",
                   done="verified") as site:
        if not site.cloudflare_zone_id:
            raise RuntimeError("the DNS zone is not set up yet; materialize dns_zone first")
        client = google.client(db.gsc_credential(site.gsc_account_id))
        cf = cloudflare.client(db.cloudflare_credential(site.cloudflare_account_id))
        outcome = ensure_property(client, cf, site.cloudflare_zone_id, site.domain)
        db.update_site(site.id, gsc_property=outcome.property)
        level = client.properties().get(property_url(site.domain), "")
    return dg.MaterializeResult(
        metadata={"property": outcome.property, "verified_now": outcome.verified_now,
                  "txt_created": outcome.txt_created, "property_added": outcome.property_added,
                  "permission": level},
        check_results=[dg.AssetCheckResult(check_name="property_verified", passed=level in OWNER_LEVELS,
                                           metadata={"permission": level or "none"})],
    )
