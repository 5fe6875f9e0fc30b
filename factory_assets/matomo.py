"""`matomo_site`: the site registered in Matomo, its id recorded for the tracking snippet."""


import dagster as dg

from factory_assets.partitions import site_partitions
from factory_assets.steps import STEP_RETRY_POLICY, site_step
from resources.matomo import MatomoResource
from resources.store import StoreResource


@dg.asset(
    partitions_def=site_partitions,
    group_name="onboarding",
    kinds={"matomo"},
    pool="matomo",
    retry_policy=STEP_RETRY_POLICY,
)
def matomo_site(context: dg.AssetExecutionContext, store: StoreResource,
                matomo: MatomoResource) -> dg.MaterializeResult:
    """The site in Matomo: found by URL, or added; `matomo_site_id` recorded on the site."""
    db = store.get()
    with site_step(db, context.partition_key, "matomo_site") as site:
        client = matomo.client()
        site_id = client.find_site(site.domain)
        created = site_id is None
        if site_id is None:
            site_id = client.add_site(site.domain, site.brand_name or site.domain)
        db.update_site(site.id, matomo_site_id=site_id)
    return dg.MaterializeResult(metadata={"matomo_site_id": site_id, "created": created})
