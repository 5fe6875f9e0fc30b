"""`dns_zone`: the site's Cloudflare zone, its records, SSL mode and Namecheap delegation."""


import dagster as dg

from factory.onboarding.dns import desired_records, ensure_dns, records_as_desired
from factory_assets.partitions import site_partitions
from factory_assets.steps import STEP_RETRY_POLICY, site_step
from resources.cloudflare import CloudflareResource
from resources.cloudpanel import CloudPanelResource
from resources.namecheap import NamecheapResource
from resources.store import StoreResource


@dg.asset(
    partitions_def=site_partitions,
    group_name="onboarding",
    kinds={"cloudflare", "namecheap"},
    pool="cloudflare",
    retry_policy=STEP_RETRY_POLICY,
    check_specs=[dg.AssetCheckSpec("records_as_desired", asset="dns_zone",
                                   description="Cloudflare, re-read: the apex and www records point at the hosting server.")],
)
def dns_zone(
    context: dg.AssetExecutionContext,
    store: StoreResource,
    cloudflare: CloudflareResource,
    namecheap: NamecheapResource,
    cloudpanel: CloudPanelResource,
) -> dg.MaterializeResult:
    """The site's DNS on Cloudflare (zone created or adopted in the site's own account; apex and
    www records; SSL mode) with the registrar (Namecheap) delegating to Cloudflare's name servers."""
    db = store.get()
    with site_step(db, context.partition_key, "dns_zone", status_column="status_dns", running="pending",
                   done="active") as site:
        cf = cloudflare.client(db.cloudflare_credential(site.cloudflare_account_id))
        outcome = ensure_dns(cf, namecheap.client(), site.domain, cloudpanel.public_ip)
        db.update_site(site.id, cloudflare_zone_id=outcome.zone.id, cloudflare_name_servers=outcome.zone.name_servers,
                       cloudflare_zone_status=outcome.zone.status)
        found = records_as_desired(cf, outcome.zone.id, desired_records(site.domain, cloudpanel.public_ip))
    return dg.MaterializeResult(
        metadata={
            "zone_id": outcome.zone.id,
            "zone_status": outcome.zone.status,
            "name_servers": ", ".join(outcome.zone.name_servers),
            "zone_created": outcome.zone_created,
            "records_created": ", ".join(outcome.records_created) or "none",
            "records_updated": ", ".join(outcome.records_updated) or "none",
            "nameservers_set": outcome.nameservers_set,
        },
        check_results=[dg.AssetCheckResult(check_name="records_as_desired", passed=all(found.values()),
                                           metadata={k: v for k, v in found.items()})],
    )
